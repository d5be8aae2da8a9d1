"""Tables of the reporting read model: one row per version of a fact (``versions``), no names, no narrative."""

from ap_reporting.projections import erasures
from ap_reporting.projections.versions import versioned

_TABLES = """
CREATE TABLE IF NOT EXISTS pupils (
    pupil_ref      uuid NOT NULL,
    home_school_id text NOT NULL,
    key_stage      text NOT NULL
);
-- Sex is a clear census field (issue 15: the annual report's pupils by sex); added to read models made before.
ALTER TABLE pupils ADD COLUMN IF NOT EXISTS sex text;
CREATE TABLE IF NOT EXISTS placements (
    placement_id      uuid NOT NULL,
    pupil_ref         uuid NOT NULL,
    provision_id      text NOT NULL,
    home_school_id    text NOT NULL,
    partnership_id    text NOT NULL,
    start_date        date NOT NULL,
    pupil_key_stage   text NOT NULL,
    outside_key_stage boolean NOT NULL,
    end_date          date,
    end_reason        text
);
CREATE INDEX IF NOT EXISTS placements_by_home_school ON placements (home_school_id);
CREATE INDEX IF NOT EXISTS placements_by_partnership ON placements (partnership_id);
CREATE TABLE IF NOT EXISTS attendance (
    record_id    uuid NOT NULL,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    session_date date NOT NULL,
    session      text NOT NULL,
    code         text NOT NULL,
    attended     boolean NOT NULL,
    possible     boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS incidents (
    record_id    uuid NOT NULL,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    happened_on  date NOT NULL,
    category     text NOT NULL,
    severity     smallint NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_by_day ON incidents (happened_on);
CREATE TABLE IF NOT EXISTS rewards (
    record_id    uuid NOT NULL,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    granted_on   date NOT NULL,
    kind         text NOT NULL,
    quantity     integer NOT NULL
);
CREATE TABLE IF NOT EXISTS suspensions (
    record_id     uuid NOT NULL,
    pupil_ref     uuid NOT NULL,
    placement_id  uuid,
    first_day     date NOT NULL,
    half_days     integer NOT NULL,
    academic_year text NOT NULL,
    phase         text NOT NULL
);
CREATE TABLE IF NOT EXISTS permanent_exclusions (
    record_id     uuid NOT NULL,
    pupil_ref     uuid NOT NULL,
    placement_id  uuid,
    decided_on    date NOT NULL,
    academic_year text NOT NULL,
    phase         text NOT NULL,
    reinstated    boolean NOT NULL DEFAULT false
);
-- Issue 14, seed 002 section 5: engagement targets, scores, progress marks (keyed by their score's record) and
-- reductions (a sanction, keyed by its own record, naming the score reduced).
CREATE TABLE IF NOT EXISTS engagement_targets (
    record_id    uuid NOT NULL,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    target_id    uuid NOT NULL,
    area         text NOT NULL,
    set_on       date NOT NULL,
    due_by       date NOT NULL
);
CREATE TABLE IF NOT EXISTS engagement_scores (
    record_id    uuid NOT NULL,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    scored_on    date NOT NULL,
    session      text,
    score        integer NOT NULL,
    scale_max    integer NOT NULL
);
CREATE INDEX IF NOT EXISTS engagement_scores_by_placement ON engagement_scores (placement_id, scored_on);
CREATE TABLE IF NOT EXISTS engagement_progress (
    record_id    uuid NOT NULL,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    target_id    uuid NOT NULL,
    scored_on    date NOT NULL,
    progress     text NOT NULL
);
CREATE TABLE IF NOT EXISTS engagement_reductions (
    record_id       uuid NOT NULL,
    placement_id    uuid NOT NULL,
    pupil_ref       uuid NOT NULL,
    score_record_id uuid NOT NULL,
    points          integer NOT NULL
);
"""

# Each table, the key of its current versions, and the unique constraints it had before it kept versions.
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pupils": (("pupil_ref",), ()),
    "placements": (("placement_id",), ()),
    "attendance": (("placement_id", "session_date", "session"), ("attendance_record_id_key",)),
    "incidents": (("record_id",), ()),
    "rewards": (("record_id",), ()),
    "suspensions": (("record_id",), ()),
    "permanent_exclusions": (("record_id",), ()),
    "engagement_targets": (("record_id",), ()),
    "engagement_scores": (("record_id",), ()),
    "engagement_progress": (("record_id", "target_id"), ()),
    "engagement_reductions": (("record_id",), ()),
}
# Indexes on the versioned columns (after ``versioned`` adds them to read models made before it). A withdrawal
# or an amendment finds an attendance mark by its record (``writers``), and attendance is keyed by its session:
# without this index each of those look-ups read every mark. ``IF NOT EXISTS``: a running read model gains it
# when its projection next starts (``setup`` runs the DDL on the serving generation), a new generation at once.
_INDEXES = """
CREATE INDEX IF NOT EXISTS attendance_by_record ON attendance (record_id) WHERE superseded_at IS NULL;
"""
CURRENT_KEYS = {**{table: key for table, (key, _) in _KEYS.items()}, erasures.TABLE: erasures.KEY}
DDL = _TABLES + "".join(versioned(table, key, old) for table, (key, old) in _KEYS.items()) + _INDEXES + erasures.DDL

FACT_TABLES = ("attendance", "incidents", "rewards", "suspensions", "permanent_exclusions", "engagement_targets",
               "engagement_scores", "engagement_progress", "engagement_reductions")
