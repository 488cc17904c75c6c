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
    "health": {"en": "Health", "sv": "Hälsa"},
    "topics": {"en": "Topics", "sv": "Ämnen"},
    "account_title": {"en": "Account {id}", "sv": "Kund {id}"},
    "accounts_scored": {"en": "Accounts scored", "sv": "Bedömda kunder"},
    "accounts_at_risk": {"en": "Accounts at risk", "sv": "Kunder i riskzonen"},
    "mean_score": {"en": "Mean health score", "sv": "Medelvärde hälsopoäng"},
    "expected_churners": {"en": "Expected churners (model)", "sv": "Väntade avhopp (modell)"},
    "expected_churners_detail": {
        "en": "sum of churn risk within 180 days",
        "sv": "summa avhoppsrisk inom 180 dagar",
    },
    "accounts_by_band": {"en": "Accounts by band", "sv": "Kunder per nivå"},
    "band_at_risk": {"en": "at risk", "sv": "i riskzonen"},
    "band_neutral": {"en": "neutral", "sv": "neutral"},
    "band_healthy": {"en": "healthy", "sv": "frisk"},
    "band_unknown": {"en": "unknown", "sv": "okänd"},
    "trend_up": {"en": "up", "sv": "upp"},
    "trend_down": {"en": "down", "sv": "ned"},
    "trend_flat": {"en": "flat", "sv": "oförändrad"},
    "trend_new": {"en": "new", "sv": "ny"},
    "account": {"en": "Account", "sv": "Kund"},
    "name": {"en": "Name", "sv": "Namn"},
    "score": {"en": "Health score", "sv": "Hälsopoäng"},
    "band": {"en": "Band", "sv": "Nivå"},
    "trend_col": {"en": "Trend (90 days)", "sv": "Trend (90 dagar)"},
    "churn_risk": {"en": "Churn risk (180 days)", "sv": "Avhoppsrisk (180 dagar)"},
    "reasons": {"en": "Reasons", "sv": "Orsaker"},
    "accounts_table": {"en": "Accounts, worst first", "sv": "Kunder, sämst först"},
    "health_note": {
        "en": "Scores as of {date} (the day after the last activity). Click a column header to sort, an account to open it.",
        "sv": "Poäng per {date} (dagen efter senaste aktivitet). Klicka på en kolumnrubrik för att sortera, på en kund för att öppna den.",
    },
    "score_by_component": {"en": "Score by component (0–100)", "sv": "Poäng per komponent (0–100)"},
    "points_lost_by_signal": {"en": "Points lost by signal", "sv": "Förlorade poäng per signal"},
    "points": {"en": "Points", "sv": "Poäng"},
    "score_breakdown": {"en": "Score breakdown", "sv": "Poängens delar"},
    "component": {"en": "Component", "sv": "Komponent"},
    "signal": {"en": "Signal", "sv": "Signal"},
    "weight": {"en": "Weight", "sv": "Vikt"},
    "points_lost": {"en": "Points lost", "sv": "Förlorade poäng"},
    "health_score": {"en": "Health score", "sv": "Hälsopoäng"},
    "churn_model": {"en": "Churn model", "sv": "Avhoppsmodell"},
    "weight_in_result": {"en": "Points lost / contribution", "sv": "Förlorade poäng / bidrag"},
    "activity_summary": {"en": "Activity, last 90 days", "sv": "Aktivitet, senaste 90 dagarna"},
    "events": {"en": "Portal events", "sv": "Portalhändelser"},
    "events_change": {
        "en": "Change in events vs the 90 days before",
        "sv": "Förändring i händelser mot 90 dagar innan",
    },
    "escalations": {"en": "Escalated tickets", "sv": "Eskalerade ärenden"},
    "open_tickets": {"en": "Tickets still open", "sv": "Ärenden fortfarande öppna"},
    "csat": {"en": "CSAT (1–5)", "sv": "CSAT (1–5)"},
    "nps": {"en": "NPS answer (0–10)", "sv": "NPS-svar (0–10)"},
    "gap": {"en": "GAP", "sv": "LUCKA"},
    "topic_groups": {"en": "Ticket groups", "sv": "Ärendegrupper"},
    "gap_share": {
        "en": "Tickets in groups without an article",
        "sv": "Ärenden i grupper utan artikel",
    },
    "groups_without_article": {"en": "groups without an article", "sv": "grupper utan artikel"},
    "zero_result_searches": {"en": "Searches with no result", "sv": "Sökningar utan träff"},
    "yearly_saving_top": {
        "en": "Yearly saving, top {n} groups answered",
        "sv": "Årlig besparing, topp {n} grupper besvarade",
    },
    "tickets_per_month_deflected": {
        "en": "tickets per month deflected",
        "sv": "ärenden per månad avledda",
    },
    "share_volume": {"en": "Share of tickets", "sv": "Andel av ärenden"},
    "share_cost": {"en": "Share of cost", "sv": "Andel av kostnad"},
    "share_by_group": {
        "en": "Share of tickets and cost by group",
        "sv": "Andel ärenden och kostnad per grupp",
    },
    "group": {"en": "Group", "sv": "Grupp"},
    "key_terms": {"en": "Key terms", "sv": "Nyckelord"},
    "article": {"en": "Article", "sv": "Artikel"},
    "search": {"en": "Search", "sv": "Sökning"},
    "searches": {"en": "Searches", "sv": "Sökningar"},
    "variants": {"en": "Variants", "sv": "Varianter"},
    "deflection_simulation": {
        "en": "If the top {n} groups were answered in the portal",
        "sv": "Om de {n} största grupperna besvarades i portalen",
    },
    "tickets_per_month": {"en": "Tickets per month", "sv": "Ärenden per månad"},
    "deflectable_share": {"en": "Deflectable share", "sv": "Andel som kan avledas"},
    "deflected_per_month": {"en": "Deflected per month", "sv": "Avledda per månad"},
    "yearly_saving": {"en": "Yearly saving", "sv": "Årlig besparing"},
    "no_health": {"en": "No health scores: {reason}", "sv": "Inga hälsopoäng: {reason}"},
    "no_topics": {"en": "No topics: {reason}", "sv": "Inga ämnen: {reason}"},
    "roi_own_note": {
        "en": "ROI of your organisation's accounts: effects and facts measured on those accounts only, with the portal's cost allocated by your share of live account-months ({share}).",
        "sv": "ROI för din organisations kunder: effekter och fakta mätta på bara de kunderna, med portalens kostnad fördelad efter er andel av live-kundmånader ({share}).",
    },
    "roi_unavailable": {
        "en": "ROI cannot be estimated for your accounts yet: {reason}",
        "sv": "ROI kan ännu inte skattas för era kunder: {reason}",
    },
    "alerts": {"en": "Alerts", "sv": "Larm"},
    "alert_events": {"en": "Recent alerts", "sv": "Senaste larm"},
    "alert_rules": {"en": "Alert rules", "sv": "Larmregler"},
    "alert_fired_at": {"en": "Fired (UTC)", "sv": "Utlöst (UTC)"},
    "alert_rule": {"en": "Rule", "sv": "Regel"},
    "alert_account": {"en": "Account", "sv": "Kund"},
    "alert_reason": {"en": "Reason", "sv": "Orsak"},
    "alert_window": {"en": "Window", "sv": "Period"},
    "alert_delivery": {"en": "Delivery", "sv": "Leverans"},
    "alert_kind": {"en": "Kind", "sv": "Typ"},
    "alert_condition": {"en": "Condition", "sv": "Villkor"},
    "alert_org": {"en": "Organisation", "sv": "Organisation"},
    "alert_channels": {"en": "Sent to", "sv": "Skickas till"},
    "alert_portal_wide": {"en": "whole portal", "sv": "hela portalen"},
    "alert_no_events": {"en": "No alert has fired yet.", "sv": "Inga larm har utlösts än."},
    "alert_no_rules": {
        "en": "No alert rules; add one with `portalroi alerts add` or the API.",
        "sv": "Inga larmregler; lägg till en med `portalroi alerts add` eller API:et.",
    },
    "alert_shown": {
        "en": "The {n} most recent of {total} alerts.",
        "sv": "De {n} senaste av {total} larm.",
    },
    "risk_accuracy": {"en": "Prediction accuracy", "sv": "Prognosträffsäkerhet"},
    "risk_model": {"en": "Churn model", "sv": "Churnmodell"},
    "risk_score": {"en": "Health score", "sv": "Hälsopoäng"},
    "risk_predicted": {"en": "Predicted", "sv": "Förutsagt"},
    "risk_observed": {"en": "Observed", "sv": "Utfall"},
    "risk_no_scores": {
        "en": "No stored risk score has a closed outcome window yet; record past scores with "
        "`portalroi health record --from ... --to ...`.",
        "sv": "Inga sparade riskpoäng har ännu ett avslutat utfallsfönster; spara historiska "
        "poäng med `portalroi health record --from ... --to ...`.",
    },
    "risk_months": {"en": "Months judged", "sv": "Bedömda månader"},
    "risk_last_auc": {"en": "ROC AUC, latest month", "sv": "ROC AUC, senaste månaden"},
    "risk_ece": {"en": "Calibration error (ECE)", "sv": "Kalibreringsfel (ECE)"},
    "risk_auc_chart": {"en": "ROC AUC by score month", "sv": "ROC AUC per poängmånad"},
    "risk_precision_chart": {
        "en": "Churn rate in the highest-risk tenth",
        "sv": "Churnandel i tiondelen med högst risk",
    },
    "risk_calibration_chart": {
        "en": "Calibration by decile (all months)",
        "sv": "Kalibrering per decil (alla månader)",
    },
    "risk_churn_rate": {"en": "Churn rate", "sv": "Churnandel"},
    "risk_decile": {"en": "Decile of predicted risk", "sv": "Decil av förutsagd risk"},
    "risk_table": {"en": "Accuracy by score month", "sv": "Träffsäkerhet per poängmånad"},
    "risk_month": {"en": "Month", "sv": "Månad"},
    "risk_churned": {"en": "Churned", "sv": "Churnade"},
    "risk_top10": {"en": "Top 10 %", "sv": "Topp 10 %"},
    "risk_at_risk_precision": {"en": "At-risk band", "sv": "Riskbandet"},
    "risk_all": {"en": "All months", "sv": "Alla månader"},
    "risk_pairs_note": {
        "en": "Pairs are churn model / health score. Each month judges the scores stored then "
        "against the outcomes known now (churn within the horizon).",
        "sv": "Paren är churnmodell / hälsopoäng. Varje månad bedömer de poäng som sparades då "
        "mot de utfall som är kända nu (churn inom horisonten).",
    },
    "risk_small_note": {
        "en": "Small samples (under 30 accounts or 5 churners), figures unstable: {months}.",
        "sv": "Små urval (under 30 kunder eller 5 churnade), osäkra siffror: {months}.",
    },
    "risk_scoped_note": {
        "en": "Computed on your organisation's accounts only.",
        "sv": "Beräknat enbart på er organisations kunder.",
    },
    "risk_expansion": {"en": "Expansion opportunities", "sv": "Expansionsmöjligheter"},
    "risk_expansion_kind": {"en": "Kind", "sv": "Typ"},
    "risk_expansion_reasons": {"en": "Why", "sv": "Varför"},
    "not_found": {"en": "Not found.", "sv": "Hittades inte."},
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
