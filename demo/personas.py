"""The organisations and people of the scripted day (fictional), and how to mint their tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer
from ap_runtime.access.tokens import ServiceAudience

PROVISION = "provision-demo-north"
OTHER_PROVISION = "provision-demo-south"
HOME_SCHOOL = "school-demo-ashgrove"
SECOND_SCHOOL = "school-demo-birchfield"
SECONDARY_SCHOOL = "school-demo-secondary"
COMMISSIONER = "la-demo-county"
OTHER_LOCAL_AUTHORITY = "la-demo-elsewhere"
PARTNERSHIP = "np-demo-north"
OTHER_PARTNERSHIP = "np-demo-south"
PLATFORM = "platform-demo"
HOST_SCHOOL_OF_BUDGET = "school-demo-host"  # holds the provision's ring-fenced budget (demo.finance_year)
OTHER_HOST_SCHOOL = "school-demo-host-south"
SCHOOLS_FORUM = "forum-demo-county"


class Persona(StrEnum):
    PROVISION_MANAGER = "provision_manager"
    PROVISION_STAFF = "provision_staff"
    PROVISION_DSL = "provision_dsl"
    OTHER_PROVISION_STAFF = "other_provision_staff"
    HOME_HEAD = "home_head"
    HOME_STAFF = "home_staff"
    HOME_DPO = "home_dpo"
    SECOND_SCHOOL_HEAD = "second_school_head"
    COMMISSIONER = "commissioner"
    LA_OFFICER = "la_officer"
    PARTNERSHIP_LEAD = "partnership_lead"
    OTHER_LA_OFFICER = "other_la_officer"
    PLATFORM_ADMIN = "platform_admin"
    FINANCE_OFFICER = "finance_officer"
    HOST_FINANCE = "host_finance"
    OTHER_HOST_FINANCE = "other_host_finance"
    SCHOOLS_FORUM_MEMBER = "schools_forum_member"
    HOME_DSL = "home_dsl"
    SECOND_SCHOOL_DPO = "second_school_dpo"
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"


@dataclass(frozen=True, slots=True)
class PersonaSpec:
    user_id: str
    organisation_id: str
    org_kind: OrgKind
    roles: tuple[Role, ...]


PERSONAS: dict[Persona, PersonaSpec] = {
    Persona.PROVISION_MANAGER: PersonaSpec("pm-north", PROVISION, OrgKind.PROVISION, (Role.PROVISION_MANAGER,)),
    Persona.PROVISION_STAFF: PersonaSpec("staff-north", PROVISION, OrgKind.PROVISION, (Role.PROVISION_STAFF,)),
    Persona.PROVISION_DSL: PersonaSpec("dsl-north", PROVISION, OrgKind.PROVISION, (Role.DSL,)),
    Persona.OTHER_PROVISION_STAFF: PersonaSpec("staff-south", OTHER_PROVISION, OrgKind.PROVISION,
                                               (Role.PROVISION_STAFF,)),
    Persona.HOME_HEAD: PersonaSpec("head-ashgrove", HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.HOME_SCHOOL_HEAD,)),
    Persona.HOME_STAFF: PersonaSpec("staff-ashgrove", HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.HOME_SCHOOL_STAFF,)),
    Persona.HOME_DPO: PersonaSpec("dpo-ashgrove", HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DPO,)),
    Persona.SECOND_SCHOOL_HEAD: PersonaSpec("head-birchfield", SECOND_SCHOOL, OrgKind.HOME_SCHOOL,
                                            (Role.HOME_SCHOOL_HEAD,)),
    Persona.COMMISSIONER: PersonaSpec("commissioner-county", COMMISSIONER, OrgKind.LOCAL_AUTHORITY,
                                      (Role.COMMISSIONER,)),
    Persona.LA_OFFICER: PersonaSpec("officer-county", COMMISSIONER, OrgKind.LOCAL_AUTHORITY, (Role.LA_OFFICER,)),
    Persona.PARTNERSHIP_LEAD: PersonaSpec("lead-np-north", PARTNERSHIP, OrgKind.PARTNERSHIP,
                                          (Role.PARTNERSHIP_LEAD,)),
    Persona.OTHER_LA_OFFICER: PersonaSpec("officer-elsewhere", OTHER_LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY,
                                          (Role.LA_OFFICER,)),
    Persona.PLATFORM_ADMIN: PersonaSpec("operator", PLATFORM, OrgKind.PLATFORM, (Role.PLATFORM_ADMIN,)),
    Persona.FINANCE_OFFICER: PersonaSpec("finance-county", COMMISSIONER, OrgKind.LOCAL_AUTHORITY,
                                         (Role.FINANCE_OFFICER,)),
    Persona.HOST_FINANCE: PersonaSpec("finance-host", HOST_SCHOOL_OF_BUDGET, OrgKind.HOST_SCHOOL,
                                      (Role.HOST_SCHOOL_FINANCE,)),
    Persona.OTHER_HOST_FINANCE: PersonaSpec("finance-host-south", OTHER_HOST_SCHOOL, OrgKind.HOST_SCHOOL,
                                            (Role.HOST_SCHOOL_FINANCE,)),
    Persona.SCHOOLS_FORUM_MEMBER: PersonaSpec("forum-county", SCHOOLS_FORUM, OrgKind.SCHOOLS_FORUM,
                                              (Role.SCHOOLS_FORUM_MEMBER,)),
    # The home school's DSL (receives a child-protection file) and another school's DPO (answers for none of
    # ashgrove's pupils), for the web journeys of issue 16.
    Persona.HOME_DSL: PersonaSpec("dsl-ashgrove", HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DSL,)),
    Persona.SECOND_SCHOOL_DPO: PersonaSpec("dpo-birchfield", SECOND_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DPO,)),
    # The county's virtual school head: told when a child the county looks after is suspended or excluded, an
    # alert no other officer of the county reads (issue 16 follow-up).
    Persona.VIRTUAL_SCHOOL_HEAD: PersonaSpec("vsh-county", COMMISSIONER, OrgKind.LOCAL_AUTHORITY,
                                             (Role.VIRTUAL_SCHOOL_HEAD,)),
}

TokenFor = Callable[[Persona], str]


def tokens_from(issuer: TokenIssuer, ttl_seconds: int = 3600,
                audience: ServiceAudience = ServiceAudience.INCIDENTS) -> TokenFor:
    """A fresh token for the persona at each call, for one service (incidents by default): a token
    carries one write command, so one per request."""

    def token_for(persona: Persona) -> str:
        spec = PERSONAS[persona]
        return issuer.mint(user_id=spec.user_id, organisation_id=spec.organisation_id, org_kind=spec.org_kind,
                           roles=spec.roles, ttl_seconds=ttl_seconds, audience=audience)

    return token_for
