"""Dashboard strings in English and Swedish (the report strings live in :mod:`portalroi.reports.i18n`).

Examples
--------
>>> t("adoption", "sv")
'Användning'
>>> t("roi", "en")
'ROI'
"""

from __future__ import annotations

from portalroi.errors import ConfigError
from portalroi.reports.i18n import LANGUAGES
from portalroi.reports.i18n import text as report_text

__all__ = ["STRINGS", "t"]

STRINGS: dict[str, dict[str, str]] = {
    "app": {"en": "Portal value", "sv": "Portalens värde"},
    "overview": {"en": "Overview", "sv": "Översikt"},
    "adoption": {"en": "Adoption", "sv": "Användning"},
    "support": {"en": "Support and self-service", "sv": "Support och självservice"},
    "impact": {"en": "Financial impact", "sv": "Ekonomisk effekt"},
    "business_case_editor": {"en": "Business case", "sv": "Affärsfall"},
    "data_status": {"en": "Data status", "sv": "Datastatus"},
    "login": {"en": "Sign in", "sv": "Logga in"},
    "logout": {"en": "Sign out", "sv": "Logga ut"},
    "email": {"en": "E-mail", "sv": "E-post"},
    "password": {"en": "Password", "sv": "Lösenord"},
    "login_failed": {"en": "Wrong e-mail or password.", "sv": "Fel e-post eller lösenord."},
    "from": {"en": "From", "sv": "Från"},
    "to": {"en": "To", "sv": "Till"},
    "segment": {"en": "Segment", "sv": "Segment"},
    "all_segments": {"en": "All segments", "sv": "Alla segment"},
    "apply": {"en": "Apply", "sv": "Använd"},
    "download_csv": {"en": "Data (CSV)", "sv": "Data (CSV)"},
    "no_data": {"en": "No data for this selection.", "sv": "Inga data för detta urval."},
    "trend": {"en": "vs previous period", "sv": "mot föregående period"},
    "roi": {"en": "ROI", "sv": "ROI"},
    "roi_to_date": {"en": "Realised ROI to date", "sv": "Realiserad ROI hittills"},
    "payback": {"en": "Payback", "sv": "Återbetalning"},
    "payback_reached": {"en": "reached", "sv": "uppnådd"},
    "payback_expected": {"en": "expected", "sv": "väntas"},
    "not_in_sight": {"en": "not in sight", "sv": "inte i sikte"},
    "benefits_to_date": {"en": "Benefits to date", "sv": "Nyttor hittills"},
    "costs_to_date": {"en": "Costs to date", "sv": "Kostnader hittills"},
    "npv": {"en": "Net present value", "sv": "Nettonuvärde"},
    "interval": {"en": "95% interval", "sv": "95 %-intervall"},
    "roi_scope_note": {
        "en": "ROI, payback and effects use all data you may see (date and segment filters "
        "apply to the metric charts).",
        "sv": "ROI, återbetalning och effekter bygger på alla data du får se (datum- och "
        "segmentfilter gäller metrikdiagrammen).",
    },
    "plan_vs_actual": {"en": "Plan vs actual", "sv": "Plan mot utfall"},
    "benefits_by_month": {
        "en": "Benefits and costs by month",
        "sv": "Nyttor och kostnader per månad",
    },
    "cumulative_net": {"en": "Cumulative net benefit", "sv": "Ackumulerad nettonytta"},
    "mau": {"en": "Monthly active users", "sv": "Månatligt aktiva användare"},
    "stickiness": {"en": "Stickiness (DAU/MAU)", "sv": "Klibbighet (DAU/MAU)"},
    "deflection_rate": {"en": "Deflection rate", "sv": "Avledningsgrad"},
    "cost_per_ticket": {"en": "Cost per ticket", "sv": "Kostnad per ärende"},
    "tickets": {"en": "Tickets", "sv": "Ärenden"},
    "active_users": {
        "en": "Active users (DAU, WAU, MAU)",
        "sv": "Aktiva användare (DAU, WAU, MAU)",
    },
    "feature_use": {
        "en": "Feature use (share of active users)",
        "sv": "Funktionsanvändning (andel av aktiva)",
    },
    "activation": {"en": "Activation rate", "sv": "Aktiveringsgrad"},
    "cohorts": {"en": "Retention by cohort", "sv": "Kvarhållning per kohort"},
    "by_role": {"en": "Monthly active users by role", "sv": "Månatligt aktiva per roll"},
    "by_device": {"en": "Monthly active users by device", "sv": "Månatligt aktiva per enhet"},
    "ticket_after_portal": {"en": "Ticket after portal visit", "sv": "Ärende efter portalbesök"},
    "resolution_time": {
        "en": "Resolution time (median hours)",
        "sv": "Lösningstid (median, timmar)",
    },
    "tickets_by_channel": {"en": "Tickets by channel", "sv": "Ärenden per kanal"},
    "effects": {"en": "Measured effects of the portal", "sv": "Uppmätta effekter av portalen"},
    "outcome": {"en": "Outcome", "sv": "Utfallsmått"},
    "estimate": {"en": "Estimate", "sv": "Skattning"},
    "low": {"en": "Low", "sv": "Låg"},
    "high": {"en": "High", "sv": "Hög"},
    "method": {"en": "Method", "sv": "Metod"},
    "money_lines": {"en": "Value per line (to date)", "sv": "Värde per post (hittills)"},
    "line": {"en": "Line", "sv": "Post"},
    "value": {"en": "Value", "sv": "Värde"},
    "month": {"en": "Month", "sv": "Månad"},
    "day": {"en": "Day", "sv": "Dag"},
    "users": {"en": "Users", "sv": "Användare"},
    "share": {"en": "Share", "sv": "Andel"},
    "hours": {"en": "Hours", "sv": "Timmar"},
    "months_since": {"en": "Months since first use", "sv": "Månader sedan första användning"},
    "cohort": {"en": "Cohort", "sv": "Kohort"},
    "inputs": {"en": "Inputs", "sv": "Indata"},
    "results": {"en": "Results", "sv": "Resultat"},
    "recalculate": {"en": "Recalculate", "sv": "Räkna om"},
    "download_excel": {"en": "Download Excel", "sv": "Ladda ner Excel"},
    "invalid_inputs": {"en": "Some inputs are not valid:", "sv": "Några indata är ogiltiga:"},
    "loads": {"en": "Loads", "sv": "Inläsningar"},
    "quarantine": {"en": "Quarantined rows", "sv": "Rader i karantän"},
    "tables": {"en": "Tables", "sv": "Tabeller"},
    "table": {"en": "Table", "sv": "Tabell"},
    "rows": {"en": "Rows", "sv": "Rader"},
    "first": {"en": "First", "sv": "Första"},
    "last": {"en": "Last", "sv": "Senaste"},
    "file": {"en": "File", "sv": "Fil"},
    "row": {"en": "Row", "sv": "Rad"},
    "column": {"en": "Column", "sv": "Kolumn"},
    "reason": {"en": "Reason", "sv": "Orsak"},
    "status": {"en": "Status", "sv": "Status"},
    "inserted": {"en": "Inserted", "sv": "Infogade"},
    "finished": {"en": "Finished", "sv": "Klar"},
    "f_annual_revenue": {"en": "Annual revenue", "sv": "Årsomsättning"},
    "f_customers": {"en": "Customers", "sv": "Kunder"},
    "f_annual_churn": {"en": "Annual churn (0-1)", "sv": "Årlig kundförlust (0-1)"},
    "f_tickets_per_month": {"en": "Tickets per month", "sv": "Ärenden per månad"},
    "f_deflection_share": {"en": "Deflection share (0-1)", "sv": "Andel avledda ärenden (0-1)"},
    "f_cost_per_ticket": {"en": "Cost per ticket", "sv": "Kostnad per ärende"},
    "f_licence_monthly": {"en": "Licence per month", "sv": "Licens per månad"},
    "f_implementation": {"en": "Implementation (one-off)", "sv": "Implementering (engång)"},
    "f_discount_rate": {"en": "Discount rate (0-1)", "sv": "Diskonteringsränta (0-1)"},
    "f_horizon_years": {"en": "Horizon (years)", "sv": "Tidshorisont (år)"},
    "f_currency": {"en": "Currency", "sv": "Valuta"},
    "language": {"en": "Svenska", "sv": "English"},
}


def t(key: str, lang: str) -> str:
    """The dashboard string ``key`` in ``lang`` (falls back to the report strings).

    Examples
    --------
    >>> t("payback", "sv"), t("total_benefits", "sv")
    ('Återbetalning', 'Totala nyttor')
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if key in STRINGS:
        return STRINGS[key][lang]
    return report_text(key, lang)
