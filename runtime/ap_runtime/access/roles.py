"""The roles a token may carry (BRIEF.md section 1: who is involved).

A role says what a person does; the organisation in the same token says for whom. The policy
(``policy.yaml``) decides which organisation kinds may hold each role and what each role may do.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PROVISION_STAFF = "provision_staff"
    PROVISION_MANAGER = "provision_manager"
    # Designated safeguarding lead, at a provision or at a home school (KCSIE).
    DSL = "dsl"
    HOME_SCHOOL_STAFF = "home_school_staff"
    HOME_SCHOOL_HEAD = "home_school_head"
    COMMISSIONER = "commissioner"
    PARTNERSHIP_LEAD = "partnership_lead"
    # The local authority's Head of Inclusion and officers acting for the LA.
    LA_OFFICER = "la_officer"
    # The local authority's virtual school head: told of its looked-after children's suspensions and exclusions
    # (STATUTORY.md), and the only reader of those alerts (the other officers are not told who is looked after).
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"
    FINANCE_OFFICER = "finance_officer"
    HOST_SCHOOL_FINANCE = "host_school_finance"
    # Data protection officer.
    DPO = "dpo"
    SCHOOLS_FORUM_MEMBER = "schools_forum_member"
    PARENT = "parent"
    PLATFORM_ADMIN = "platform_admin"
