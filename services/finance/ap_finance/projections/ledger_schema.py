"""Tables of the ``finance_ledger`` read model (created unqualified in the projection's own schema).

``ledger_entries`` hold the domain's double-entry entries, one transaction per event;
``line_balances`` the running balance of each line (provision, year, category or NULL for funding
not yet given to a line, funding source), kept by adding each transaction's per-line change.
The other tables serve reports: budget metadata, items awaiting signatures, virements.
No table holds pupil data: finance events carry none.
"""

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS budgets (
    provision_id              text NOT NULL,
    financial_year            text NOT NULL,
    budget_id                 uuid NOT NULL,
    stream_id                 text NOT NULL,
    host_school_id            text NOT NULL,
    partnership_id            text NOT NULL,
    signature_threshold_pence bigint NOT NULL,
    closed_on                 date,
    last_stream_version       integer NOT NULL,
    last_event_id             uuid NOT NULL,
    last_recorded_at          timestamptz NOT NULL,
    PRIMARY KEY (provision_id, financial_year)
);
CREATE TABLE IF NOT EXISTS ledger_transactions (
    txn            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    provision_id   text NOT NULL,
    financial_year text NOT NULL,
    stream_version integer NOT NULL,
    event_type     text NOT NULL,
    effective_on   date,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_transactions_budget ON ledger_transactions (provision_id, financial_year, txn);
CREATE TABLE IF NOT EXISTS ledger_entries (
    txn            bigint NOT NULL REFERENCES ledger_transactions (txn),
    seq            integer NOT NULL,
    provision_id   text NOT NULL,
    financial_year text NOT NULL,
    account        text NOT NULL,
    category       text,
    funding_source text,
    school_id      text,
    amount_pence   bigint NOT NULL,
    PRIMARY KEY (txn, seq)
);
CREATE INDEX IF NOT EXISTS ledger_entries_budget ON ledger_entries (provision_id, financial_year);
CREATE TABLE IF NOT EXISTS line_budgets (
    provision_id   text NOT NULL,
    financial_year text NOT NULL,
    category       text NOT NULL,
    funding_source text NOT NULL,
    amount_pence   bigint NOT NULL,
    PRIMARY KEY (provision_id, financial_year, category, funding_source)
);
CREATE TABLE IF NOT EXISTS line_balances (
    provision_id    text NOT NULL,
    financial_year  text NOT NULL,
    category        text,
    funding_source  text NOT NULL,
    budget_pence    bigint NOT NULL DEFAULT 0,
    actual_pence    bigint NOT NULL DEFAULT 0,
    committed_pence bigint NOT NULL DEFAULT 0,
    remaining_pence bigint NOT NULL DEFAULT 0,
    UNIQUE NULLS NOT DISTINCT (provision_id, financial_year, category, funding_source)
);
CREATE TABLE IF NOT EXISTS surplus_positions (
    provision_id          text NOT NULL,
    financial_year        text NOT NULL,
    surplus_pence         bigint NOT NULL DEFAULT 0,
    available_pence       bigint NOT NULL DEFAULT 0,
    allocated_pence       bigint NOT NULL DEFAULT 0,
    clawed_back_pence     bigint NOT NULL DEFAULT 0,
    carried_forward_pence bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (provision_id, financial_year)
);
CREATE TABLE IF NOT EXISTS pending_items (
    item_id                uuid PRIMARY KEY,
    provision_id           text NOT NULL,
    financial_year         text NOT NULL,
    item_kind              text NOT NULL,
    category               text NOT NULL,
    funding_source         text NOT NULL,
    amount_pence           bigint NOT NULL,
    item_date              date NOT NULL,
    signed_for             text[] NOT NULL DEFAULT '{}',
    completed              boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS virements (
    virement_id    uuid PRIMARY KEY,
    provision_id   text NOT NULL,
    financial_year text NOT NULL,
    from_category  text NOT NULL,
    to_category    text NOT NULL,
    funding_source text NOT NULL,
    amount_pence   bigint NOT NULL,
    approved       boolean NOT NULL,
    recorded_at    timestamptz NOT NULL
);
"""
