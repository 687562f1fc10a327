"""Starting content for a draft plan, from the source articles' ideas: the PMO's services (each drawing on
several capabilities, with a service level and an owning role), the stakeholder groups it serves and what
each needs, staffing roles, and funding models. Drafts copy them; the PMO head rewrites them in plan.yaml."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceTemplate:
    """A PMO service: what it delivers, to whom, the service level it promises and the role that owns it."""

    id: str
    name: str
    description: str
    capabilities: tuple[str, ...]
    customers: tuple[str, ...]
    service_level: str
    owner: str


#: Group ids used in ``customers`` and value propositions (see STAKEHOLDERS).
SPONSORS, PMS, TEAMS, FUNCTIONAL, FINANCE, BUSINESS, PMO_STAFF = (
    "sponsors", "project-managers", "project-teams", "functional-managers", "finance", "business", "pmo-staff")

#: Staffing roles that own services (also drafted under staffing).
HEAD, ANALYST, COACH, TOOLS, BENEFITS_LEAD = ("Head of PMO", "Portfolio analyst", "Delivery coach",
                                             "PPM tools and data lead", "Benefits and value lead")

SERVICES: tuple[ServiceTemplate, ...] = (
    ServiceTemplate("portfolio-reporting", "Portfolio reporting and early warning",
                    "One forward-looking view of the portfolio: forecast benefits, milestones and risks, with alerts "
                    "on roadblocks before they hit, instead of backward-looking status.",
                    ("performance-measures", "forward-looking-insight", "automation"), (SPONSORS, BUSINESS, FINANCE),
                    "Portfolio report to the board within 5 working days of month-end; an alert on a red milestone "
                    "or benefit within 2 working days", ANALYST),
    ServiceTemplate("portfolio-decisions", "Portfolio prioritisation and decision support",
                    "Scores every proposal and running project against the strategy and prepares the options, "
                    "evidence and trade-offs for start, stop and re-scope decisions.",
                    ("strategic-alignment", "portfolio-prioritization", "decision-support"), (SPONSORS, FINANCE),
                    "Every proposal scored within 10 working days; decision papers with the board 3 working days "
                    "before it meets", HEAD),
    ServiceTemplate("benefits-management", "Benefits tracking after go-live",
                    "Keeps the benefits register, agrees a business owner per benefit and reports realised against "
                    "forecast benefits for two years after go-live.",
                    ("benefits-management",), (SPONSORS, BUSINESS, FINANCE),
                    "Register updated every quarter; realised against forecast benefits reported each quarter",
                    BENEFITS_LEAD),
    ServiceTemplate("capacity-planning", "Resource capacity planning",
                    "Matches project demand to the people available with the functional managers and flags "
                    "over-commitment before it turns into overtime or stalled projects.",
                    ("capacity-planning",), (FUNCTIONAL, PMS, SPONSORS),
                    "Capacity view refreshed every month; an over-commitment raised with the functional manager "
                    "within 5 working days", ANALYST),
    ServiceTemplate("investment-appraisal", "Investment appraisal and financial control",
                    "Checks business cases, stages funding by gate, keeps estimates honest and reports earned "
                    "value and forecast cost with finance.",
                    ("financial-management",), (FINANCE, SPONSORS),
                    "Business case reviewed within 10 working days; cost forecast agreed with finance every "
                    "month-end", ANALYST),
    ServiceTemplate("portfolio-risk", "Portfolio risk management",
                    "Aggregates project risks across the portfolio against the agreed appetite, with an owner per "
                    "risk and escalation of those beyond appetite.",
                    ("risk-management",), (SPONSORS, FINANCE, PMS),
                    "Portfolio risk profile to the board each quarter; a risk beyond appetite escalated within "
                    "5 working days", ANALYST),
    ServiceTemplate("assurance", "Proportionate governance and assurance",
                    "Runs stage gates sized to each project's risk, health checks and audits, and removes steps "
                    "that add no value.",
                    ("light-touch-governance", "assurance", "delivery-approaches"), (SPONSORS, PMS),
                    "Gate review within 5 working days of request; a health check of every major project each "
                    "quarter", HEAD),
    ServiceTemplate("delivery-coaching", "Delivery methods and coaching",
                    "Helps each project choose a predictive, agile or hybrid approach and the right amount of "
                    "process, and coaches project leaders through complexity and hard conversations.",
                    ("delivery-approaches", "leadership", "talent-development"), (PMS, TEAMS),
                    "A coach assigned within 5 working days of a request; training calendar published each quarter",
                    COACH),
    ServiceTemplate("change-adoption", "Change and adoption support",
                    "Plans adoption with the business: impact assessments, change networks and readiness checks, "
                    "so outputs turn into outcomes.",
                    ("change-management", "customer-orientation"), (BUSINESS, FUNCTIONAL, TEAMS),
                    "Readiness check before every go-live; engagement model reviewed with each group twice a year",
                    COACH),
    ServiceTemplate("ppm-tools", "PPM tools and portfolio data",
                    "Owns the PPM tool, its data standards and the links to finance and HR data, so reports are "
                    "built once and trusted.",
                    ("ppm-tools", "data-integration", "automation"), (PMS, PMO_STAFF, FINANCE),
                    "Tool questions answered within 1 working day; data-quality report every month", TOOLS),
    ServiceTemplate("lessons-improvement", "Lessons and continuous improvement",
                    "Turns lessons across projects into changes to methods, templates and training.",
                    ("continuous-improvement",), (PMS, TEAMS, PMO_STAFF),
                    "Lessons review within 4 weeks of a project's closure; method changes published twice a year",
                    COACH),
    ServiceTemplate("pmo-business", "PMO business management",
                    "Runs the PMO as a business unit: mandate, business plan, budget, its own KPIs and a "
                    "re-assessment with its customers.",
                    ("pmo-mandate",), (SPONSORS, FINANCE),
                    "Business plan reviewed with the sponsors every year; PMO KPIs reported each quarter", HEAD),
)


@dataclass(frozen=True)
class StakeholderGroup:
    """A group the PMO serves, the roles of the questionnaire it matches, and what it needs (from the sources)."""

    id: str
    name: str
    roles: tuple[str, ...]
    need: str


STAKEHOLDERS: tuple[StakeholderGroup, ...] = (
    StakeholderGroup(SPONSORS, "Executive sponsors", ("sponsor",),
                     "Transparency, objectivity and insight for tough portfolio decisions, and evidence that the "
                     "investments deliver the value promised."),
    StakeholderGroup(FINANCE, "Finance", ("finance",),
                     "Costs and benefits they can trust: staged funding, honest estimates and benefits realised "
                     "against the business case, and a PMO that returns more than it costs."),
    StakeholderGroup(FUNCTIONAL, "Functional managers", ("functional-manager",),
                     "Early sight of the demand on their people and no surprise requests, so projects do not "
                     "become additional work or a threat to their area."),
    StakeholderGroup(BUSINESS, "Business stakeholders", ("stakeholder",),
                     "Projects that deliver the outcomes their area needs, a say in decisions that affect them, "
                     "and benefits tracked after go-live."),
    StakeholderGroup(PMS, "Project and programme managers", ("project-manager",),
                     "Trust instead of micromanagement: roadblocks removed, governance proportionate to risk and "
                     "less reporting by hand."),
    StakeholderGroup(TEAMS, "Project team members", ("team-member",),
                     "Clear priorities, fewer status requests and room to grow skills through training and "
                     "rotation."),
    StakeholderGroup(PMO_STAFF, "PMO staff", ("pmo-staff",),
                     "Services that visibly contribute to business results, and skills that keep up with what "
                     "the PMO is asked to do."),
)

#: Funding models (id → how it works).
FUNDING_MODELS = {
    "overhead": "a central budget held by the sponsors: the PMO's reports stay independent of the projects it reviews",
    "chargeback": "projects pay for the services they use: demand shows what is valued",
    "project-funded": "the PMO's people are charged to the projects they work on",
    "hybrid": "core services from a central budget; optional services charged to the projects that ask for them",
}

#: PMO type → (funding model, why).
FUNDING_BY_TYPE = {
    "controlling": ("overhead", "assurance and reporting serve the sponsors, so they are funded centrally and stay "
                                "independent of the projects they check"),
    "supportive": ("hybrid", "core services (methods, reporting) serve everyone; coaching and tool work are "
                             "charged to the projects that use them, so demand shows what is valued"),
    "directive": ("project-funded", "the PMO's project managers work on the projects, so their time is charged "
                                    "there; the PMO's own management is an overhead"),
    "strategic": ("overhead", "it serves the executive team across units: a central budget keeps it impartial "
                              "between the units whose investments it compares"),
}

#: Dimension id → the staffing role whose work the roadmap's initiatives in it are.
ROADMAP_ROLE_BY_DIMENSION = {
    "people": (COACH, "capability development and change initiatives"),
    "process": (ANALYST, "portfolio process initiatives"),
    "technology": (TOOLS, "tool, data and automation initiatives"),
    "governance": (BENEFITS_LEAD, "governance, benefits and measures initiatives"),
}

#: PMO type → the role that runs its core service (sized with the sponsors: it depends on the projects served).
RUN_ROLE_BY_TYPE = {
    "controlling": ("Assurance and reporting analysts", "gate reviews, health checks and portfolio reporting"),
    "supportive": ("Delivery coaches", "coaching, templates, training and tool support for the project teams"),
    "directive": ("Project managers assigned by the PMO", "running the portfolio's projects"),
    "strategic": ("Portfolio strategy analysts", "strategy-to-portfolio mapping, decision papers and value tracking"),
}

#: Cadence of KPI reviews by measure level (delivery measures move faster than outcomes).
CADENCE_BY_MEASURE_LEVEL = {1: "monthly", 2: "quarterly", 3: "quarterly", 4: "yearly"}

MEASURE_LEVELS = {
    1: "delivery (cost, schedule, quality)",
    2: "accountability for forecast benefits",
    3: "business-performance outcomes",
    4: "sustained competitive advantage (benchmarked)",
}


def generic_service(capability_id: str, capability_name: str) -> ServiceTemplate:
    """The service of a capability no catalogue service covers (a questionnaire outside the bundled bank); its
    service level is left for the PMO head to agree with its customers."""
    return ServiceTemplate(capability_id, f"{capability_name} support",
                           f"Helps projects and leaders improve {capability_name.lower()}.", (capability_id,),
                           (SPONSORS, PMS), "", HEAD)
