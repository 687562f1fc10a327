"""Starting texts for a draft plan: the PMO service each capability supports, and what each
stakeholder group gets from the PMO. Drafts copy them; the PMO head rewrites them in plan.yaml."""
from __future__ import annotations

#: Capability id of the bundled bank → (service name, what the service does).
SERVICES: dict[str, tuple[str, str]] = {
    "customer-orientation": ("Stakeholder engagement", "Agrees with each stakeholder group what it needs "
                             "from the PMO and reviews the engagement model with them twice a year."),
    "talent-development": ("Project talent development", "Runs the skills framework, training, "
                           "mentoring and rotation for project and programme managers."),
    "leadership": ("Leadership coaching", "Coaches project leaders on sponsorship, hard conversations "
                   "and leading through complexity."),
    "change-management": ("Change support", "Helps projects plan adoption: impact assessments, "
                          "change networks and readiness checks before go-live."),
    "strategic-alignment": ("Strategy-to-portfolio mapping", "Links every project to a strategic "
                            "objective and shows leadership where the spend goes."),
    "portfolio-prioritization": ("Portfolio prioritisation", "Scores and ranks proposals and running "
                                 "projects so the portfolio board can start, stop and re-order work."),
    "capacity-planning": ("Resource capacity planning", "Matches demand to the people available and "
                          "flags over-commitment before it delays delivery."),
    "delivery-approaches": ("Delivery method guidance", "Helps each project pick a predictive, agile or "
                            "hybrid approach and the right amount of process for its risk."),
    "continuous-improvement": ("Lessons and improvement", "Collects lessons across projects and turns "
                               "them into changes to methods, templates and training."),
    "ppm-tools": ("PPM tool ownership", "Owns the PPM tool, its configuration and the data standards "
                  "everyone uses."),
    "automation": ("Reporting automation", "Automates status, financial and risk reporting so project "
                   "teams stop copying data by hand."),
    "forward-looking-insight": ("Forward-looking insight", "Forecasts benefits, milestones and risks and "
                                "raises alerts on roadblocks before they hit."),
    "data-integration": ("Portfolio data integration", "Connects finance, HR and delivery data into "
                         "one trusted portfolio view."),
    "benefits-management": ("Benefits tracking", "Keeps the benefits register, agrees owners and "
                            "reports realised against forecast benefits after go-live."),
    "performance-measures": ("Performance reporting", "Reports KPIs on the four levels of measures: "
                             "delivery, forecast benefits, business outcomes, competitive advantage."),
    "light-touch-governance": ("Light-touch governance", "Runs proportionate stage gates and decision "
                               "forums, removing steps that add no value."),
    "pmo-mandate": ("PMO business management", "Runs the PMO as a business unit: mandate, business "
                    "plan, budget and its own KPIs."),
    "decision-support": ("Decision support", "Prepares the options, evidence and trade-offs leaders "
                         "need for tough portfolio decisions."),
}

#: Role id → (stakeholder group name, value proposition).
VALUE_PROPOSITIONS: dict[str, tuple[str, str]] = {
    "sponsor": ("Executive sponsors", "See which investments deliver the value promised, and get the "
                "evidence to stop, start or re-order work early."),
    "pmo-staff": ("PMO staff", "Clear services to run, the tools and skills to run them, and a visible "
                  "contribution to business results."),
    "project-manager": ("Project and programme managers", "Less reporting by hand, coaching when it "
                        "matters and governance proportionate to risk."),
    "team-member": ("Project team members", "Fewer status requests, clear priorities and room to grow "
                    "skills through training and rotation."),
    "stakeholder": ("Business stakeholders", "Projects that deliver the outcomes their area needs, "
                    "with benefits tracked after go-live."),
}

#: Dimension id → the stakeholder groups that mostly use the services of its capabilities.
CUSTOMERS_BY_DIMENSION: dict[str, list[str]] = {
    "people": ["project managers", "project teams"],
    "process": ["executive sponsors", "portfolio board"],
    "technology": ["project managers", "PMO staff"],
    "governance": ["executive sponsors", "business stakeholders"],
}

#: Cadence of KPI reviews by measure level (delivery measures move faster than outcomes).
CADENCE_BY_MEASURE_LEVEL = {1: "monthly", 2: "quarterly", 3: "quarterly", 4: "yearly"}

MEASURE_LEVELS = {
    1: "delivery (cost, schedule, quality)",
    2: "accountability for forecast benefits",
    3: "business-performance outcomes",
    4: "sustained competitive advantage (benchmarked)",
}


def service_for(capability_id: str, capability_name: str) -> tuple[str, str]:
    """The service a capability supports; a generic one for capabilities outside the bundled bank."""
    return SERVICES.get(capability_id, (f"{capability_name} support",
                                        f"Helps projects and leaders improve {capability_name.lower()}."))


def value_proposition_for(role_id: str, role_name: str) -> tuple[str, str]:
    """A stakeholder group's name and value proposition; a generic one for unknown roles."""
    return VALUE_PROPOSITIONS.get(role_id, (role_name, f"What {role_name} gets from the PMO: to be agreed "
                                                       f"with them."))
