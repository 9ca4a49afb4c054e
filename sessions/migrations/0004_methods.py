"""The intervision methods of ../shared/design/methods.md and the doorvraag prompts, as data (editable
afterwards in Django admin). Idempotent: a method is made only when no method has its slug (its phases with
it), the prompts only into an empty list. A fresh database gets them here; one that got them from casussen's
migration 0002 (now a no-op) keeps its edits, and only a shipped method deleted there is made again (switch
it off with "actief" instead)."""

from django.db import migrations

P, G, F, A = "presenter", "group", "facilitator", "all"
INTRO, QUESTIONS, ANALYSIS, ADVICE, EVALUATION, OTHER = (
    "intro", "questions", "analysis", "advice", "evaluation", "other"
)

# (slug, name_nl, name_en, description_nl, description_en, min_members, max_presenters, phases)
# phase: (name_nl, name_en, minutes, speaker, kind, rule_nl, rule_en)
METHODS = [
    (
        "incidentmethode", "Incidentmethode", "Incident method",
        "Korte, veelgebruikte methode (ongeveer 65 minuten) voor een concreet incident uit het werk.",
        "Short, widely used method (about 65 minutes) for a concrete incident from work.",
        3, 1,
        [
            ("Terugblik", "Looking back", 5, P, INTRO,
             "Hoe is het met de vorige casus gegaan? Kort, geen nieuwe bespreking.",
             "How did the previous casus work out? Briefly, no new discussion."),
            ("Inventariseren", "Inventory", 10, A, INTRO,
             "Iedereen noemt kort een mogelijk incident, in één of twee zinnen.",
             "Everyone briefly names a candidate incident, in one or two sentences."),
            ("Kiezen", "Choosing", 5, G, OTHER,
             "De groep kiest één incident; de inbrenger formuleert de kernvraag.",
             "The group picks one incident; the presenter states the key question."),
            ("Vragen", "Questions", 15, G, QUESTIONS,
             "Alleen informatieve, open vragen. Geen adviezen, ook niet verpakt als vraag.",
             "Open information questions only. No advice, not even disguised as a question."),
            ("Analyse", "Analysis", 10, G, ANALYSIS,
             "De groep analyseert; de inbrenger luistert en reageert niet.",
             "The group analyses; the presenter listens and does not respond."),
            ("Adviesronde", "Advice round", 10, G, ADVICE,
             "Ieder geeft één concreet advies. De inbrenger luistert alleen.",
             "Each member gives one concrete piece of advice. The presenter only listens."),
            ("Evaluatie en afspraken", "Evaluation and agreements", 10, P, EVALUATION,
             "Wat neemt de inbrenger mee, en wat is de vervolgafspraak?",
             "What does the presenter take away, and what is the follow-up?"),
        ],
    ),
    (
        "balint", "Balint-methode", "Balint method",
        "Verdiepende methode (1–2 uur), het best met minstens 5 ervaren deelnemers.",
        "In-depth method (1–2 hours), best with at least 5 experienced members.",
        5, 1,
        [
            ("Casussen verzamelen", "Collecting casussen", 5, A, INTRO,
             "Wie heeft een casus? Nog geen inhoud.", "Who has a casus? No content yet."),
            ("In drie zinnen", "In three sentences", 5, P, INTRO,
             "Elke inbrenger vertelt de casus in drie zinnen.", "Each presenter tells their casus in three sentences."),
            ("Kiezen", "Choosing", 5, G, OTHER,
             "De groep kiest één casus.", "The group picks one casus."),
            ("Procesbegeleider kiezen", "Choosing a process leader", 5, G, OTHER,
             "Iemand bewaakt de tijd en de fasen.", "Someone keeps time and the phases."),
            ("Het volledige verhaal", "The full account", 10, P, INTRO,
             "De inbrenger vertelt; de groep luistert zonder te onderbreken.",
             "The presenter tells; the group listens without interrupting."),
            ("Vrije associaties", "Free associations", 10, G, ANALYSIS,
             "Wat roept het verhaal bij je op? Beelden, gevoelens, geen oordelen.",
             "What does the account evoke? Images, feelings, no judgements."),
            ("Verhelderende vragen", "Clarifying questions", 10, G, QUESTIONS,
             "Open vragen die verhelderen. Geen adviezen.", "Open questions that clarify. No advice."),
            ("Advies opschrijven", "Writing advice", 10, G, ADVICE,
             "Ieder schrijft één concreet advies op.", "Each member writes down one concrete piece of advice."),
            ("Visie van de groep", "The group's view", 15, G, ANALYSIS,
             "De groep vormt een visie; de inbrenger zwijgt.", "The group forms a view; the presenter stays silent."),
            ("Besluit van de inbrenger", "The presenter decides", 5, P, EVALUATION,
             "De inbrenger zegt wat hij of zij gaat doen.", "The presenter says what they will do."),
            ("Evaluatie", "Evaluation", 5, A, EVALUATION,
             "Hoe ging het? Wat nemen we mee?", "How did it go? What do we take away?"),
        ],
    ),
    (
        "roddelmethode", "Roddelmethode", "Gossip method",
        "De groep bespreekt de casus alsof de inbrenger er niet is; de inbrenger luistert met de rug naar de groep.",
        "The group discusses the casus as if the presenter were absent; the presenter listens, back turned.",
        3, 1,
        [
            ("Vraag introduceren", "Introducing the question", 5, P, INTRO,
             "De inbrenger introduceert de casus en de kernvraag.", "The presenter introduces the casus and key question."),
            ("Vragen", "Questions", 15, G, QUESTIONS,
             "Ieder stelt ongeveer drie open vragen.", "Each member asks about three open questions."),
            ("Roddelen", "Gossip", 20, G, ANALYSIS,
             "De groep praat over de casus alsof de inbrenger afwezig is. De inbrenger zit buiten de kring, "
             "met de rug naar de groep, en luistert.",
             "The group talks about the casus as if the presenter were absent. The presenter sits outside the "
             "circle, back turned, and listens."),
            ("Reactie inbrenger", "Presenter reacts", 10, P, EVALUATION,
             "Wat trof de inbrenger?", "What struck the presenter?"),
            ("Evaluatie", "Evaluation", 5, A, EVALUATION,
             "Hoe ging het? Wat nemen we mee?", "How did it go? What do we take away?"),
        ],
    ),
    (
        "vijfstappen", "Vijfstappenmodel", "Five-step model",
        "Vraag, verkenning, kern, adviesronde, evaluatie.", "Question, exploration, core, advice round, evaluation.",
        3, 1,
        [
            ("Vraag", "Question", 5, P, INTRO,
             "De inbrenger vertelt de casus en de kernvraag.", "The presenter tells the casus and key question."),
            ("Verkenning", "Exploration", 20, G, QUESTIONS,
             "Open vragen om de situatie te verkennen. Geen adviezen.",
             "Open questions to explore the situation. No advice."),
            ("Kern van het probleem", "Core of the problem", 15, A, ANALYSIS,
             "Wat is het eigenlijke probleem? De inbrenger herformuleert de vraag.",
             "What is the real problem? The presenter reformulates the question."),
            ("Adviesronde", "Advice round", 15, G, ADVICE,
             "Ieder geeft één concreet advies. De inbrenger luistert.",
             "Each member gives one concrete piece of advice. The presenter listens."),
            ("Evaluatie", "Evaluation", 5, A, EVALUATION,
             "Wat neemt de inbrenger mee? Hoe ging het?", "What does the presenter take away? How did it go?"),
        ],
    ),
    (
        "zesfasen", "Zesfasenmodel", "Six-phase model",
        "Het basismodel: inventarisatie, analyse, bewustwording, advies, thema, evaluatie.",
        "The basic model: inventory, analysis, awareness, advice, theme, evaluation.",
        3, 1,
        [
            ("Inventarisatie", "Inventory", 5, P, INTRO,
             "De inbrenger schetst de casus en de kernvraag.", "The presenter outlines the casus and key question."),
            ("Analyse", "Analysis", 20, G, QUESTIONS,
             "Open vragen, doorvragen tot de vraag achter de vraag. Geen adviezen.",
             "Open questions, asking on to the question behind the question. No advice."),
            ("Bewustwording en herformuleren", "Awareness and reformulating", 15, P, ANALYSIS,
             "Wat is de inbrenger duidelijk geworden? Herformuleer de kernvraag.",
             "What has become clear to the presenter? Reformulate the key question."),
            ("Advies", "Advice", 15, G, ADVICE,
             "Ieder geeft één concreet advies. De inbrenger luistert.",
             "Each member gives one concrete piece of advice. The presenter listens."),
            ("Themabespreking", "Theme discussion", 10, A, ANALYSIS,
             "Welk algemeen thema zit in deze casus?", "Which general theme is in this casus?"),
            ("Evaluatie", "Evaluation", 5, A, EVALUATION,
             "Wat neemt de inbrenger mee? Hoe ging het?", "What does the presenter take away? How did it go?"),
        ],
    ),
    (
        "tienstappen", "Tienstappenmodel", "Ten-step model",
        "Uitgebreid model (2–2,5 uur per casus, ongeveer 6 deelnemers); de inbrenger beoordeelt de vragen.",
        "Extensive model (2–2.5 hours per casus, about 6 members); the presenter rates the questions.",
        4, 1,
        [
            ("Casus kiezen", "Choosing the casus", 10, G, OTHER,
             "De groep kiest een casus.", "The group picks a casus."),
            ("Casus vertellen", "Telling the casus", 10, P, INTRO,
             "De inbrenger vertelt de casus.", "The presenter tells the casus."),
            ("Vragen opschrijven", "Writing questions", 10, G, QUESTIONS,
             "Ieder schrijft open vragen op.", "Each member writes down open questions."),
            ("Vragen stellen", "Asking questions", 20, G, QUESTIONS,
             "De vragen worden gesteld en beantwoord. Geen adviezen.",
             "The questions are asked and answered. No advice."),
            ("Vragen beoordelen", "Rating the questions", 10, P, EVALUATION,
             "De inbrenger zegt welke vragen hem of haar verder hielpen.",
             "The presenter says which questions helped them on."),
            ("Probleemstelling opschrijven", "Writing problem statements", 10, G, ANALYSIS,
             "Ieder schrijft op wat volgens hem of haar het probleem is.",
             "Each member writes down what they think the problem is."),
            ("Probleemstellingen beoordelen", "Rating problem statements", 10, P, EVALUATION,
             "De inbrenger kiest de probleemstelling die het best past.",
             "The presenter picks the problem statement that fits best."),
            ("Analyse", "Analysis", 20, G, ANALYSIS,
             "De groep analyseert de gekozen probleemstelling.", "The group analyses the chosen problem statement."),
            ("Adviezen", "Advice", 20, G, ADVICE,
             "Ieder geeft één concreet advies.", "Each member gives one concrete piece of advice."),
            ("Evaluatie", "Evaluation", 10, A, EVALUATION,
             "Wat neemt de inbrenger mee? Hoe ging het?", "What does the presenter take away? How did it go?"),
        ],
    ),
    (
        "socratisch-gesprek", "Socratisch gesprek", "Socratic dialogue",
        "Onderzoek van een thema aan de hand van één concreet voorbeeld.",
        "Inquiry into a theme through one concrete example.",
        4, 1,
        [
            ("Thema", "Theme", 5, F, INTRO, "De begeleider introduceert het thema.", "The facilitator introduces the theme."),
            ("Vraag", "Question", 5, G, INTRO, "De groep stelt de centrale vraag vast.", "The group fixes the central question."),
            ("Concreet voorbeeld", "A concrete example", 10, P, INTRO,
             "Eén deelnemer vertelt een concreet, zelf beleefd voorbeeld.",
             "One member tells a concrete example they lived through."),
            ("Voorbeeld verhelderen", "Clarifying the example", 15, G, QUESTIONS,
             "Open vragen die het voorbeeld verhelderen.", "Open questions that clarify the example."),
            ("Kernuitspraak", "Core statement", 10, P, ANALYSIS,
             "Het moment waarop het antwoord beslist werd.", "The moment where the answer was decided."),
            ("Rechtvaardiging", "Justification", 10, P, ANALYSIS,
             "Waarom is de kernuitspraak waar?", "Why is the core statement true?"),
            ("Opschrijven", "Writing it down", 5, F, OTHER,
             "De kernuitspraak wordt opgeschreven.", "The core statement is written down."),
            ("Eigen kernuitspraak", "Own core statement", 10, A, ANALYSIS,
             "Ieder formuleert een eigen kernuitspraak.", "Each member states their own core statement."),
            ("Gezamenlijk onderzoek", "Shared inquiry", 15, A, ANALYSIS,
             "Samen onderzoeken wat de uitspraken verbindt.", "Together, examine what connects the statements."),
            ("Onderliggende waarden", "Underlying values", 10, A, ANALYSIS,
             "Welke waarden liggen eronder?", "Which values lie underneath?"),
            ("Terugblik", "Looking back", 5, A, EVALUATION, "Hoe ging het gesprek?", "How did the dialogue go?"),
        ],
    ),
    (
        "peer-coaching-circle", "Peer coaching circle", "Peer coaching circle",
        "Korte vorm (ongeveer 40 minuten).", "Short format (about 40 minutes).",
        3, 1,
        [
            ("Presenteren", "Present", 6, P, INTRO,
             "De inbrenger vertelt de casus.", "The presenter tells the casus."),
            ("Vragen", "Questions", 6, G, QUESTIONS,
             "Open vragen; geen adviezen.", "Open questions; no advice."),
            ("Mijn vraag is …", "My question is …", 2, P, OTHER,
             "De inbrenger zegt: \"Mijn vraag is …\"", "The presenter says: \"My question is …\""),
            ("Bespreking", "Discussion", 18, G, ADVICE,
             "De groep bespreekt en adviseert; de inbrenger zwijgt.",
             "The group discusses and advises; the presenter is silent."),
            ("Wat neem ik mee", "Takeaways", 5, P, EVALUATION,
             "De inbrenger vertelt wat hij of zij meeneemt.", "The presenter says what they take away."),
        ],
    ),
]

PROMPTS = [
    ("Wat maakt dit voor jou lastig?", "What makes this hard for you?"),
    ("Wat heb je al geprobeerd, en wat hield je tegen?", "What have you tried already, and what stopped you?"),
    ("Wat zou er gebeuren als je niets doet?", "What would happen if you did nothing?"),
    ("Welke vraag hoop je dat we níet stellen?", "Which question do you hope we will not ask?"),
    ("Wat is jouw aandeel hierin?", "What is your part in this?"),
    ("Waar ben je bang voor?", "What are you afraid of?"),
    ("Alleen open vragen: geen advies verpakt als vraag (\"Heb je al eens …?\").",
     "Open questions only: no advice disguised as a question (\"Have you ever tried …?\")."),
]


def create(apps, schema_editor):
    Method = apps.get_model("meetings", "Method")
    MethodPhase = apps.get_model("meetings", "MethodPhase")
    DoorvraagPrompt = apps.get_model("meetings", "DoorvraagPrompt")
    for position, (slug, name_nl, name_en, desc_nl, desc_en, min_members, max_presenters, phases) in enumerate(
        METHODS, start=1
    ):
        method, created = Method.objects.get_or_create(
            slug=slug,
            defaults={
                "name_nl": name_nl, "name_en": name_en, "description_nl": desc_nl, "description_en": desc_en,
                "min_members": min_members, "max_presenters": max_presenters, "position": position,
            },
        )
        if not created:
            continue
        for phase_position, (p_nl, p_en, minutes, speaker, kind, rule_nl, rule_en) in enumerate(phases, start=1):
            MethodPhase.objects.create(
                method=method, position=phase_position, name_nl=p_nl, name_en=p_en, minutes=minutes,
                speaker=speaker, kind=kind, rule_nl=rule_nl, rule_en=rule_en, show_prompts=kind == QUESTIONS,
            )
    if not DoorvraagPrompt.objects.exists():
        for position, (text_nl, text_en) in enumerate(PROMPTS, start=1):
            DoorvraagPrompt.objects.create(text_nl=text_nl, text_en=text_en, position=position)


def remove(apps, schema_editor):
    Method = apps.get_model("meetings", "Method")
    Method.objects.filter(slug__in=[m[0] for m in METHODS], sessions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_installation")]

    operations = [migrations.RunPython(create, remove)]
