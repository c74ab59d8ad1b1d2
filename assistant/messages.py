"""Every user-facing string, Swedish first, English available: one catalogue for pages, answers and channels.

Keys are flat; a dotted prefix names where a group is shown (`slack.`, `teams.`, `answer.`, `error.`), and the
unprefixed keys are the web pages' (templates read them as `t.key`). `t()` formats one message; a missing
language falls back to Swedish, a missing key is a KeyError (the catalogue test keeps both languages complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

MESSAGES: dict[str, dict[str, str]] = {
    "sv": {
        # Guidance pages, start page and search (assistant/web)
        "app_name": "Vägledningsassistenten",
        "ai_notice": "Svaren tas fram automatiskt ur vägledningarna. Kontrollera alltid mot källan.",
        "ask_label": "Ställ en fråga om handläggningen",
        "ask_placeholder": "T.ex. Hur lång tid har sökanden på sig att komplettera?",
        "ask_button": "Fråga",
        "as_of_label": "Som det gällde den (valfritt)",
        "search_label": "Sök i vägledningarna",
        "search_button": "Sök",
        "all_pages": "Alla vägledningar",
        "owner": "Ansvarig",
        "reviewed": "Senast granskad",
        "review_by": "Granskas senast",
        "stale": "Granskningsdatum passerat",
        "expired": "Gäller inte längre",
        "archived": "Arkiverad",
        "draft": "Utkast",
        "sources": "Källor",
        "suggestions": "Närmaste sidor",
        "contents": "Innehåll",
        "not_found": "Sidan finns inte",
        "language_switch": "In English",
        "doc_type": "Typ",
        "loading": "Söker svar…",
        "error": "Något gick fel. Försök igen.",
        "hits": "Träffar",
        "no_hits": "Inga träffar.",
        "review": "Granskning",
        "skip": "Hoppa till innehållet",
        "helpful": "Var svaret till hjälp?",
        "rate_up": "Ja, bra svar",
        "yes": "Ja",
        "no": "Nej",
        "rate_down": "Nej, dåligt svar",
        "reason": "Vad var fel?",
        "comment": "Kommentar (valfri)",
        "send": "Skicka",
        "thanks": "Tack för ditt omdöme!",
        "feedback_error": "Omdömet kunde inte sparas. Försök igen.",
        "reasons": (
            "fel svar=Fel svar|inaktuellt=Inaktuellt|saknas=Något saknas|svårt att förstå=Svårt att förstå|annat=Annat"
        ),
        "conversation": "Konversation med assistenten",
        "new_conversation": "Ny konversation",
        "conversation_cleared": "En ny konversation har påbörjats.",
        "enter_hint": "Enter skickar, Skift+Enter ger ny rad. Skriv inga personuppgifter.",
        "you_asked": "Du frågade",
        "assistant_answers": "Assistenten svarar",
        "follow_up_note": "Följdfråga: svaret bygger på din förra fråga.",
        "turn": "Fråga och svar",
        "source_n": "Källa",
        "my_feedback": "Min feedback",
        "my_feedback_intro": (
            "Det du har betygsatt och kommenterat, och vad granskarna har gjort med det. Tack för att du hjälper "
            "till att göra vägledningarna bättre."
        ),
        "my_feedback_empty": "Du har inte lämnat några omdömen eller kommentarer än.",
        "my_feedback_what": "Vad du lämnade",
        "my_feedback_outcome": "Vad som hände",
        "my_feedback_waiting": "Inte granskad än",
        "my_feedback_counted": "Räknas i statistiken (ingen åtgärd behövs)",
        # Feedback loop and review (assistant/review)
        "rv_queue": "Granskningskö",
        "rv_analytics": "Analys",
        "rv_report": "Uppföljning",
        "rv_eval_cases": "Testfall",
        "rv_test_period": "Testperiod",
        "rv_queue_intro": (
            "Betyg på svar och kommentarer på sidor, samlade på ett ställe. Öppna en post för att se hela utbytet."
        ),
        "rv_editor_scope": "Du ser posterna för de sidor du äger.",
        "rv_filters": "Filtrera kön",
        "rv_filter": "Filtrera",
        "rv_clear_filters": "Visa alla",
        "rv_all": "Alla",
        "rv_type": "Typ",
        "rv_kind_answer": "Betyg på svar",
        "rv_kind_comment": "Sidkommentar",
        "rv_status": "Status",
        "rv_status_new": "Ny",
        "rv_status_in_progress": "Pågår",
        "rv_status_done": "Klar",
        "rv_status_rejected": "Avvisad",
        "rv_open_items": "Öppna (nya och pågående)",
        "rv_rating": "Betyg",
        "rv_rating_up": "Tumme upp",
        "rv_rating_down": "Tumme ner",
        "rv_reason": "Skäl",
        "rv_channel": "Kanal",
        "rv_page": "Sida",
        "rv_section": "Avsnitt",
        "rv_from": "Från",
        "rv_to": "Till och med",
        "rv_assignee": "Tilldelad",
        "rv_count": "Antal",
        "rv_n_items": "{n} poster",
        "rv_export": "Exportera",
        "rv_csv_excel": "CSV för Excel",
        "rv_bulk": "Ändra markerade poster",
        "rv_set_status": "Ny status",
        "rv_no_change": "Ingen ändring",
        "rv_assign_owner_each": "Tilldela respektive sidas ägare",
        "rv_resolution_note": "Åtgärd eller anteckning",
        "rv_apply_selected": "Ändra markerade",
        "rv_none_selected": "Markera minst en post först.",
        "rv_select_all": "Markera alla poster på sidan",
        "rv_select_item": "Markera posten från {date} om {page}",
        "rv_date": "Datum",
        "rv_text": "Fråga och kommentar",
        "rv_empty_queue": "Inga poster matchar filtren.",
        "rv_no_page": "Ingen sida",
        "rv_pages_nav": "Fler poster",
        "rv_previous": "Föregående",
        "rv_next": "Nästa",
        "rv_back_to_queue": "← Tillbaka till kön",
        "rv_updated": "Senast ändrad",
        "rv_author": "Lämnad av",
        "rv_their_words": "Kommentar",
        "rv_handle": "Hantera",
        "rv_assign_owner": "Tilldela sidans ägare ({owner})",
        "rv_note_hint": (
            "Skriv vad som gjordes, eller varför posten avvisas. Krävs för Klar och Avvisad och syns i uppföljningen."
        ),
        "rv_save": "Spara",
        "rv_saved": "Sparat.",
        "rv_save_error": "Det gick inte att spara. Inget har ändrats.",
        "rv_exchange": "Hela utbytet",
        "rv_earlier_turns": "Tidigare i samtalet",
        "rv_not_answered": "inte besvarad",
        "rv_question": "Fråga",
        "rv_answer": "Svar",
        "rv_answer_facts": "Besvarad: {answered} · säkerhet {confidence} · {generator} · index {version}",
        "rv_yes": "ja",
        "rv_no": "nej",
        "rv_older_index": "Svaret gavs ur ett äldre index",
        "rv_section_gone": "Avsnittet finns inte längre i vägledningen.",
        "rv_hits": "Sökträffar",
        "rv_score": "Poäng",
        "rv_commented_section": "Avsnittet som kommentaren gäller",
        "rv_page_changed": "Sidan har ändrats sedan kommentaren skrevs.",
        "rv_make_eval_case": "Gör frågan till ett testfall",
        "rv_eval_intro": (
            "Ett testfall körs i varje utvärdering (assistant eval), så att ett rättat fel förblir rättat."
        ),
        "rv_should_answer": "Ska assistenten besvara frågan?",
        "rv_should_answer_yes": "Ja, ur avsnitten nedan",
        "rv_should_answer_no": "Nej, den ska avstå",
        "rv_right_sections": "Rätt sida och avsnitt",
        "rv_other_section": "Annan sida eller avsnitt",
        "rv_other_hint": "Sidans id, eventuellt med avsnitt: komplettering#tidsfrist-for-komplettering",
        "rv_save_eval_case": "Spara testfall",
        "rv_eval_saved": "Testfallet är sparat:",
        "rv_eval_cases_from_item": "Testfall från den här posten",
        "rv_should_abstain": "ska avstå",
        "rv_eval_cases_intro": "Frågor som granskare har gjort till testfall. Utvärderingen hämtar dem som JSONL.",
        "rv_download_jsonl": "Ladda ner som JSONL",
        "rv_created": "Skapad",
        "rv_delete": "Ta bort",
        "rv_deleted": "Testfallet är borttaget.",
        "rv_open_item": "Öppna posten",
        "rv_period": "Period",
        "rv_tertial": "Tertial",
        "rv_choose_dates": "Egna datum",
        "rv_show": "Visa",
        "rv_questions": "Frågor",
        "rv_answered": "Besvarade",
        "rv_share_answered": "Andel besvarade",
        "rv_low_confidence": "Besvarade med låg säkerhet",
        "rv_rated_up": "Tumme upp",
        "rv_rated_down": "Tumme ner",
        "rv_share_up": "Andel tumme upp",
        "rv_page_comments": "Sidkommentarer",
        "rv_legend": "Förklaring",
        "rv_show_table": "Visa siffrorna som tabell",
        "rv_day": "Dag",
        "rv_chart_per_day": "Frågor per dag och kanal",
        "rv_chart_per_day_desc": "Totalt {total} frågor {start}–{end}. Flest {day} ({most}). Kanaler: {channels}.",
        "rv_chart_answered": "Andel besvarade frågor per kanal",
        "rv_chart_answered_desc": "Totalt besvarades {share} ({answered} av {total}).",
        "rv_chart_reasons": "Skäl till tumme ner",
        "rv_negative_pages": "Sidor med mest negativ återkoppling",
        "rv_top_questions": "Vanligaste frågorna",
        "rv_gaps": "Innehållsluckor",
        "rv_gaps_hint": (
            "Obesvarade frågor och frågor besvarade med låg säkerhet, grupperade efter likhet. Närmaste sidor är "
            "dit assistenten pekade."
        ),
        "rv_no_gaps": "Inga luckor under perioden.",
        "rv_question_group": "Fråga (och liknande)",
        "rv_nearest_pages": "Närmaste sidor",
        "rv_nothing": "Inget under perioden.",
        "rv_as_json": "Siffrorna som JSON",
        "rv_download": "Ladda ner",
        "rv_print_hint": "Skriv ut sidan med webbläsarens utskrift för en rapport.",
        "rv_key_figures": "Nyckeltal",
        "rv_items_received": "Inkomna poster",
        "rv_items_open": "Öppna poster",
        "rv_items_resolved": "Avslutade poster",
        "rv_eval_cases_added": "Nya testfall",
        "rv_per_day": "Frågor per dag",
        "rv_gaps_and_actions": "Största luckorna och vad som gjordes",
        "rv_n_questions": "{n} frågor",
        "rv_no_action": "Ingen åtgärd registrerad",
        "rv_eval_case_made": "Testfall skapat:",
        "rv_actions": "Åtgärder under perioden",
        "rv_test_period_intro": (
            "Under testperioden har varje vägledningssida ett kommentarsfält. Utanför perioden är fältet stängt; "
            "tidigare kommentarer finns kvar för granskare."
        ),
        "rv_period_is": "Testperioden är {start}–{end}.",
        "rv_period_open_now": "Kommentarer tas emot i dag.",
        "rv_period_closed_now": "Kommentarer tas inte emot i dag.",
        "rv_period_unset": "Ingen testperiod är satt; kommentarsfältet är stängt.",
        "rv_test_period_hint": (
            "Avsluta perioden i förtid genom att sätta ett tidigare slutdatum. Datumen gäller svensk tid."
        ),
        "rv_comments_heading": "Kommentera sidan",
        "rv_comments_open": "Testperiod pågår till och med {end}. Berätta vad som är fel, oklart eller saknas.",
        "rv_comments_closed": "Kommentarsfältet är stängt utanför testperioden.",
        "rv_comment_section": "Avsnitt",
        "rv_whole_page": "Hela sidan",
        "rv_comment_label": "Din kommentar",
        "rv_comment_hint": (
            "Skriv inte personuppgifter. Personnummer, telefonnummer och e-postadresser tas bort innan "
            "kommentaren sparas."
        ),
        "rv_comment_send": "Skicka kommentar",
        "rv_comment_saved": "Tack! Din kommentar är sparad.",
        "rv_comment_error": "Kommentaren kunde inte sparas. Texten finns kvar – försök igen.",
        "rv_comment_on_section": "Kommentera avsnittet",
        "rv_earlier_comments": "Kommentarer ({n})",
        "rv_older_version": "gällde en äldre version",
        # Answers (assistant/compose.py, assistant/core.py) and redaction notices
        "answer.abstain": "Jag hittar inget säkert svar på det i vägledningarna. De här sidorna ligger närmast:",
        "answer.note_expired": "'{title}' har upphört att gälla.",
        "answer.note_stale": "'{title}' har passerat sitt granskningsdatum; kontrollera med sidans ägare.",
        "answer.note_as_of": "Svaret gäller som det var den {day}: bara vägledning som gällde då citeras.",
        "redaction.notice": (
            "Personuppgifter ({kinds}) togs bort ur din fråga innan den sparades. Nummer som ser ut som "
            "personnummer tas bort även när kontrollsiffran är fel."
        ),
        # Errors a person reads (assistant/errors.py): the code's general message, then specific ones
        "error.invalid_input": (
            "Något i det du skickade gick inte att ta emot. Kontrollera uppgifterna och försök igen."
        ),
        "error.invalid_pages": "Vägledningssidorna har fel som måste rättas innan de kan publiceras.",
        "error.index_not_ready": (
            "Vägledningarna är inte inlästa än. Försök igen om en stund; om det inte hjälper, kontakta driften."
        ),
        "error.index_error": "Vägledningarna kunde inte läsas in. Kontakta driften.",
        "error.model_error": "Språkmodellen kunde inte användas. Kontakta driften.",
        "error.not_found": "Det du letar efter finns inte (längre).",
        "error.unauthenticated": "Du är inte inloggad. Logga in via intranätet och försök igen.",
        "error.forbidden": "Du har inte behörighet till det här.",
        "error.conflict": (
            "Det gick inte att göra just nu eftersom något annat hände samtidigt. Ladda om och försök igen."
        ),
        "error.storage_error": (
            "Det gick inte att spara. Inget har ändrats. Försök igen om en stund; "
            "om felet finns kvar, kontakta driften."
        ),
        "error.channel_off": "Den här kanalen är inte påslagen.",
        "error.internal": "Något gick fel hos oss. Felet är loggat. Försök igen om en stund.",
        "error.no_page": "Sidan {page} finns inte. Den kan ha bytt namn eller tagits bort.",
        "error.no_route": "Sidan finns inte. Kontrollera adressen eller gå till startsidan.",
        "error.method": "Det gick inte att göra så på den här adressen.",
        "error.needs_role": "Det här kräver rollen {roles}. Be {contact} om behörighet.",
        "error.access_contact_default": "din chef eller systemförvaltningen",
        "error.not_yours": "Det här tillhör någon annan.",
        "error.resolution_note_required": (
            "Skriv en åtgärd eller anteckning när posten blir Klar eller Avvisad: vad som gjordes, eller varför inte."
        ),
        "error.no_answer": "Svaret finns inte (längre), kanske har det gallrats ({answer}).",
        "error.comments_closed": "Testperioden är slut, så kommentarer tas inte emot nu.",
        "error.concurrent_change": "Någon annan ändrade samtidigt. Ladda om sidan och försök igen.",
        "error.already_eval_case": "Frågan är redan ett testfall.",
        "error.no_database": "Tjänsten körs utan databas, så inget kan sparas.",
        "error.or": "eller",
        "error_page.title_404": "Sidan finns inte",
        "error_page.title_403": "Ingen behörighet",
        "error_page.title_401": "Inte inloggad",
        "error_page.title_save": "Det gick inte att spara",
        "error_page.title_other": "Något gick fel",
        "error_page.what_now": "Vad kan du göra?",
        "error_page.go_back": "Gå tillbaka",
        "error_page.go_home": "Till startsidan",
        "error_page.search": "Sök i vägledningarna",
        "error_page.try_again": "Försök igen om en stund. Det du skrev finns kvar om du går tillbaka.",
        "error_page.technical": "Teknisk information (för driften)",
        "error_page.reference": "Felkod: {code} · referens {reference}",
        "role.caseworker": "handläggare",
        "role.editor": "redaktör",
        "role.quality_lead": "kvalitetsansvarig",
        "role.admin": "administratör",
        # Storage and input faults (assistant/errors.py): shown by the API, the widget and the chat channels
        "error.storage_busy": (
            "Databasen är upptagen av en annan skrivning just nu; inget sparades. Försök igen om en stund."
        ),
        "error.storage_full": "Databasens disk är full; inget sparades. Driften behöver frigöra utrymme.",
        "error.storage_read_only": "Databasen går bara att läsa just nu; inget sparades. Driften behöver åtgärda det.",
        "error.storage_unreachable": "Databasen går inte att nå just nu; inget sparades. Försök igen om en stund.",
        "error.storage_failed": "Databasen kunde inte utföra åtgärden; inget sparades. Försök igen om en stund.",
        "error.nul": "Texten innehåller ett NUL-tecken (U+0000), som inte kan sparas. Ta bort det och försök igen.",
        # Slack (bots/slack)
        "slack.sources": "Källor",
        "slack.closest": "Sidor som ligger närmast",
        "slack.overview": "översikt",
        "slack.unsure": "⚠️ Osäkert: inget avsnitt besvarar frågan tydligt. Läs sidorna ovan eller fråga sidans ägare.",
        "slack.ai": "Svaret är hämtat automatiskt ur vägledningarna av en AI-assistent. Kontrollera alltid källan.",
        "slack.up": "👍 Bra svar",
        "slack.down": "👎 Dåligt svar",
        "slack.thanks": "Tack! Din återkoppling är sparad.",
        "slack.modal_title": "Vad var fel?",
        "slack.reason": "Orsak",
        "slack.reason_hint": "Välj en orsak",
        "slack.comment": "Kommentar",
        "slack.comment_hint": "Skriv inte personuppgifter i kommentaren.",
        "slack.send": "Skicka",
        "slack.cancel": "Avbryt",
        "slack.close": "Stäng",
        "slack.feedback_failed": "Återkopplingen kunde inte sparas: {message}",
        "slack.answer_failed": "Jag kunde inte svara just nu: {message}",
        "slack.unexpected": "Något gick fel när jag skulle svara. Försök igen om en stund.",
        "slack.usage": "Skriv en fråga, till exempel: {trigger}Hur lång tid har sökanden på sig att komplettera?",
        "slack.searching": "Söker i vägledningarna …",
        # Teams (bots/teams)
        "teams.unsure": "Assistenten är inte säker och svarar därför inte. Läs sidorna nedan eller fråga en kollega.",
        "teams.helpful": "👍 Bra svar",
        "teams.not_helpful": "👎 Dåligt svar",
        "teams.reason": "Vad var fel?",
        "teams.comment": "Kommentar (frivillig)",
        "teams.comment_placeholder": "Skriv inga personuppgifter här.",
        "teams.send": "Skicka",
        "teams.thanks": "Tack! Din återkoppling är sparad.",
        "teams.not_saved": "Din återkoppling kunde inte sparas: {message}",
        "teams.ask_something": "Skriv din fråga, till exempel: Hur lång tid har sökanden på sig att komplettera?",
        "teams.failed": "Jag kunde inte svara just nu: {message}",
        "teams.internal": "Något gick fel och felet har loggats. Försök igen om en stund.",
        "teams.stale": "granskningsdatum passerat",
        "teams.expired": "gäller inte längre",
    },
    "en": {
        # Guidance pages, start page and search (assistant/web)
        "app_name": "Guidance assistant",
        "ai_notice": "Answers are produced automatically from the guidance. Always check the source.",
        "ask_label": "Ask a question about case handling",
        "ask_placeholder": "E.g. How long does the applicant have to complete the application?",
        "ask_button": "Ask",
        "as_of_label": "As it applied on (optional)",
        "search_label": "Search the guidance",
        "search_button": "Search",
        "all_pages": "All guidance pages",
        "owner": "Owner",
        "reviewed": "Last reviewed",
        "review_by": "Review by",
        "stale": "Past its review date",
        "expired": "No longer in force",
        "archived": "Archived",
        "draft": "Draft",
        "sources": "Sources",
        "suggestions": "Closest pages",
        "contents": "Contents",
        "not_found": "Page not found",
        "language_switch": "På svenska",
        "doc_type": "Type",
        "loading": "Finding an answer…",
        "error": "Something went wrong. Please try again.",
        "hits": "Results",
        "no_hits": "No results.",
        "review": "Review",
        "skip": "Skip to content",
        "helpful": "Was the answer helpful?",
        "rate_up": "Yes, good answer",
        "yes": "Yes",
        "no": "No",
        "rate_down": "No, poor answer",
        "reason": "What was wrong?",
        "comment": "Comment (optional)",
        "send": "Send",
        "thanks": "Thank you for your feedback!",
        "feedback_error": "The feedback could not be saved. Please try again.",
        "reasons": (
            "fel svar=Wrong answer|inaktuellt=Out of date|saknas=Something is missing|svårt att förstå=Hard to "
            "understand|annat=Other"
        ),
        "conversation": "Conversation with the assistant",
        "new_conversation": "New conversation",
        "conversation_cleared": "A new conversation has started.",
        "enter_hint": "Enter sends, Shift+Enter adds a line. Do not write personal data.",
        "you_asked": "You asked",
        "assistant_answers": "The assistant answers",
        "follow_up_note": "Follow-up: the answer builds on your previous question.",
        "turn": "Question and answer",
        "source_n": "Source",
        "my_feedback": "My feedback",
        "my_feedback_intro": (
            "What you rated and commented on, and what the reviewers did with it. Thank you for helping to "
            "improve the guidance."
        ),
        "my_feedback_empty": "You have not given any ratings or comments yet.",
        "my_feedback_what": "What you gave",
        "my_feedback_outcome": "What happened",
        "my_feedback_waiting": "Not reviewed yet",
        "my_feedback_counted": "Counted in the statistics (no action needed)",
        # Feedback loop and review (assistant/review)
        "rv_queue": "Review queue",
        "rv_analytics": "Analytics",
        "rv_report": "Follow-up",
        "rv_eval_cases": "Eval cases",
        "rv_test_period": "Test period",
        "rv_queue_intro": "Answer ratings and page comments in one place. Open an item to see the whole exchange.",
        "rv_editor_scope": "You see the items for the pages you own.",
        "rv_filters": "Filter the queue",
        "rv_filter": "Filter",
        "rv_clear_filters": "Show all",
        "rv_all": "All",
        "rv_type": "Type",
        "rv_kind_answer": "Answer rating",
        "rv_kind_comment": "Page comment",
        "rv_status": "Status",
        "rv_status_new": "New",
        "rv_status_in_progress": "In progress",
        "rv_status_done": "Done",
        "rv_status_rejected": "Rejected",
        "rv_open_items": "Open (new and in progress)",
        "rv_rating": "Rating",
        "rv_rating_up": "Thumbs up",
        "rv_rating_down": "Thumbs down",
        "rv_reason": "Reason",
        "rv_channel": "Channel",
        "rv_page": "Page",
        "rv_section": "Section",
        "rv_from": "From",
        "rv_to": "To (included)",
        "rv_assignee": "Assigned to",
        "rv_count": "Count",
        "rv_n_items": "{n} items",
        "rv_export": "Export",
        "rv_csv_excel": "CSV for Excel",
        "rv_bulk": "Change selected items",
        "rv_set_status": "New status",
        "rv_no_change": "No change",
        "rv_assign_owner_each": "Assign each to its page owner",
        "rv_resolution_note": "Action or note",
        "rv_apply_selected": "Change selected",
        "rv_none_selected": "Select at least one item first.",
        "rv_select_all": "Select all items on this page",
        "rv_select_item": "Select the item from {date} about {page}",
        "rv_date": "Date",
        "rv_text": "Question and comment",
        "rv_empty_queue": "No items match the filters.",
        "rv_no_page": "No page",
        "rv_pages_nav": "More items",
        "rv_previous": "Previous",
        "rv_next": "Next",
        "rv_back_to_queue": "← Back to the queue",
        "rv_updated": "Last changed",
        "rv_author": "Given by",
        "rv_their_words": "Comment",
        "rv_handle": "Handle",
        "rv_assign_owner": "Assign to the page owner ({owner})",
        "rv_note_hint": (
            "Write what was done, or why the item is rejected. Required for Done and Rejected; shown in the follow-up."
        ),
        "rv_save": "Save",
        "rv_saved": "Saved.",
        "rv_save_error": "Could not save. Nothing was changed.",
        "rv_exchange": "The whole exchange",
        "rv_earlier_turns": "Earlier in the conversation",
        "rv_not_answered": "not answered",
        "rv_question": "Question",
        "rv_answer": "Answer",
        "rv_answer_facts": "Answered: {answered} · confidence {confidence} · {generator} · index {version}",
        "rv_yes": "yes",
        "rv_no": "no",
        "rv_older_index": "Answered from an older index",
        "rv_section_gone": "The section is no longer in the guidance.",
        "rv_hits": "Search hits",
        "rv_score": "Score",
        "rv_commented_section": "The section the comment is about",
        "rv_page_changed": "The page has changed since the comment was written.",
        "rv_make_eval_case": "Turn the question into an eval case",
        "rv_eval_intro": "An eval case runs in every evaluation (assistant eval), so a fixed mistake stays fixed.",
        "rv_should_answer": "Should the assistant answer the question?",
        "rv_should_answer_yes": "Yes, from the sections below",
        "rv_should_answer_no": "No, it should abstain",
        "rv_right_sections": "Right page and section",
        "rv_other_section": "Another page or section",
        "rv_other_hint": "The page id, optionally with a section: komplettering#tidsfrist-for-komplettering",
        "rv_save_eval_case": "Save eval case",
        "rv_eval_saved": "The eval case is saved:",
        "rv_eval_cases_from_item": "Eval cases from this item",
        "rv_should_abstain": "should abstain",
        "rv_eval_cases_intro": "Questions reviewers turned into eval cases. The evaluation fetches them as JSONL.",
        "rv_download_jsonl": "Download as JSONL",
        "rv_created": "Created",
        "rv_delete": "Delete",
        "rv_deleted": "The eval case is deleted.",
        "rv_open_item": "Open the item",
        "rv_period": "Period",
        "rv_tertial": "Tertial",
        "rv_choose_dates": "Own dates",
        "rv_show": "Show",
        "rv_questions": "Questions",
        "rv_answered": "Answered",
        "rv_share_answered": "Share answered",
        "rv_low_confidence": "Answered with low confidence",
        "rv_rated_up": "Thumbs up",
        "rv_rated_down": "Thumbs down",
        "rv_share_up": "Share thumbs up",
        "rv_page_comments": "Page comments",
        "rv_legend": "Legend",
        "rv_show_table": "Show the numbers as a table",
        "rv_day": "Day",
        "rv_chart_per_day": "Questions per day and channel",
        "rv_chart_per_day_desc": (
            "{total} questions in all, {start}–{end}. Most on {day} ({most}). Channels: {channels}."
        ),
        "rv_chart_answered": "Share of questions answered, per channel",
        "rv_chart_answered_desc": "In all, {share} were answered ({answered} of {total}).",
        "rv_chart_reasons": "Reasons for thumbs down",
        "rv_negative_pages": "Pages with the most negative feedback",
        "rv_top_questions": "Most common questions",
        "rv_gaps": "Content gaps",
        "rv_gaps_hint": (
            "Unanswered questions and questions answered with low confidence, grouped by similarity. Closest "
            "pages are where the assistant pointed."
        ),
        "rv_no_gaps": "No gaps in the period.",
        "rv_question_group": "Question (and similar)",
        "rv_nearest_pages": "Closest pages",
        "rv_nothing": "Nothing in the period.",
        "rv_as_json": "The numbers as JSON",
        "rv_download": "Download",
        "rv_print_hint": "Print the page with the browser's print for a report.",
        "rv_key_figures": "Key figures",
        "rv_items_received": "Items received",
        "rv_items_open": "Open items",
        "rv_items_resolved": "Items closed",
        "rv_eval_cases_added": "New eval cases",
        "rv_per_day": "Questions per day",
        "rv_gaps_and_actions": "Top gaps and what was done",
        "rv_n_questions": "{n} questions",
        "rv_no_action": "No action recorded",
        "rv_eval_case_made": "Eval case made:",
        "rv_actions": "Actions in the period",
        "rv_test_period_intro": (
            "During the test period every guidance page has a comment field. Outside it the field is closed; "
            "earlier comments stay for reviewers."
        ),
        "rv_period_is": "The test period is {start}–{end}.",
        "rv_period_open_now": "Comments are taken today.",
        "rv_period_closed_now": "Comments are not taken today.",
        "rv_period_unset": "No test period is set; the comment field is closed.",
        "rv_test_period_hint": "End the period early by setting an earlier end date. Dates are Swedish time.",
        "rv_comments_heading": "Comment on the page",
        "rv_comments_open": "The test period runs until {end}. Tell us what is wrong, unclear or missing.",
        "rv_comments_closed": "The comment field is closed outside the test period.",
        "rv_comment_section": "Section",
        "rv_whole_page": "The whole page",
        "rv_comment_label": "Your comment",
        "rv_comment_hint": (
            "Do not write personal data. Personal identity numbers, phone numbers and e-mail addresses are "
            "removed before the comment is stored."
        ),
        "rv_comment_send": "Send comment",
        "rv_comment_saved": "Thank you! Your comment is saved.",
        "rv_comment_error": "The comment could not be saved. Your text is still there – please try again.",
        "rv_comment_on_section": "Comment on this section",
        "rv_earlier_comments": "Comments ({n})",
        "rv_older_version": "about an older version",
        # Answers (assistant/compose.py, assistant/core.py) and redaction notices
        "answer.abstain": "I could not find a reliable answer in the guidance. These pages are the closest:",
        "answer.note_expired": "'{title}' has expired.",
        "answer.note_stale": "'{title}' is past its review date; check with its owner.",
        "answer.note_as_of": "Answered as it applied on {day}: only guidance in force that day is cited.",
        "redaction.notice": (
            "Personal data ({kinds}) was removed from your question before it was stored. Numbers shaped like a "
            "personal identity number are removed even when their check digit is wrong."
        ),
        # Errors a person reads (assistant/errors.py): the code's general message, then specific ones
        "error.invalid_input": "Something in what you sent could not be accepted. Check it and try again.",
        "error.invalid_pages": "The guidance pages have errors that must be fixed before they can be published.",
        "error.index_not_ready": (
            "The guidance is not loaded yet. Try again shortly; if that does not help, contact IT."
        ),
        "error.index_error": "The guidance could not be loaded. Contact IT.",
        "error.model_error": "The language model could not be used. Contact IT.",
        "error.not_found": "What you are looking for does not exist (any more).",
        "error.unauthenticated": "You are not signed in. Sign in through the intranet and try again.",
        "error.forbidden": "You do not have access to this.",
        "error.conflict": (
            "This could not be done right now because something else happened at the same time. Reload and try again."
        ),
        "error.storage_error": (
            "Could not save. Nothing was changed. Try again shortly; if it keeps failing, contact IT."
        ),
        "error.channel_off": "This channel is not switched on.",
        "error.internal": "Something went wrong on our side. It has been logged. Try again shortly.",
        "error.no_page": "The page {page} does not exist. It may have been renamed or removed.",
        "error.no_route": "The page does not exist. Check the address or go to the start page.",
        "error.method": "That cannot be done at this address.",
        "error.needs_role": "This needs the role {roles}. Ask {contact} for access.",
        "error.access_contact_default": "your manager or the system administrators",
        "error.not_yours": "This belongs to someone else.",
        "error.resolution_note_required": (
            "Write a resolution note when an item is done or rejected: what was done, or why not."
        ),
        "error.no_answer": "The answer does not exist (any more); it may have been removed ({answer}).",
        "error.comments_closed": "The test period is over, so comments are not taken now.",
        "error.concurrent_change": "Someone else changed this at the same time. Reload the page and try again.",
        "error.already_eval_case": "The question is already an eval case.",
        "error.no_database": "The service runs without a database, so nothing can be saved.",
        "error.or": "or",
        "error_page.title_404": "Page not found",
        "error_page.title_403": "No access",
        "error_page.title_401": "Not signed in",
        "error_page.title_save": "Could not save",
        "error_page.title_other": "Something went wrong",
        "error_page.what_now": "What can you do?",
        "error_page.go_back": "Go back",
        "error_page.go_home": "To the start page",
        "error_page.search": "Search the guidance",
        "error_page.try_again": "Try again shortly. What you wrote is still there if you go back.",
        "error_page.technical": "Technical information (for IT)",
        "error_page.reference": "Error code: {code} · reference {reference}",
        "role.caseworker": "caseworker",
        "role.editor": "editor",
        "role.quality_lead": "quality lead",
        "role.admin": "administrator",
        # Storage and input faults (assistant/errors.py): shown by the API, the widget and the chat channels
        "error.storage_busy": (
            "the database is busy with another write right now; nothing was saved. Try again in a moment."
        ),
        "error.storage_full": "the database's disk is full; nothing was saved. An operator needs to free space.",
        "error.storage_read_only": (
            "the database is read-only right now; nothing was saved. An operator needs to fix it."
        ),
        "error.storage_unreachable": (
            "the database cannot be reached right now; nothing was saved. Try again in a moment."
        ),
        "error.storage_failed": (
            "the database could not complete the request; nothing was saved. Try again in a moment."
        ),
        "error.nul": "the text contains a NUL character (U+0000), which cannot be stored; remove it and try again.",
        # Slack (bots/slack)
        "slack.sources": "Sources",
        "slack.closest": "Closest pages",
        "slack.overview": "overview",
        "slack.unsure": (
            "⚠️ Not sure: no section answers the question clearly. Read the pages above or ask their owner."
        ),
        "slack.ai": (
            "This answer was taken automatically from the guidance by an AI assistant. Always check the source."
        ),
        "slack.up": "👍 Helpful",
        "slack.down": "👎 Not helpful",
        "slack.thanks": "Thank you! Your feedback was saved.",
        "slack.modal_title": "What was wrong?",
        "slack.reason": "Reason",
        "slack.reason_hint": "Choose a reason",
        "slack.comment": "Comment",
        "slack.comment_hint": "Do not include personal data in the comment.",
        "slack.send": "Send",
        "slack.cancel": "Cancel",
        "slack.close": "Close",
        "slack.feedback_failed": "Your feedback could not be saved: {message}",
        "slack.answer_failed": "I could not answer right now: {message}",
        "slack.unexpected": "Something went wrong while answering. Please try again shortly.",
        "slack.usage": "Write a question, for example: {trigger}How long does the applicant have to complete it?",
        "slack.searching": "Searching the guidance …",
        # Teams (bots/teams)
        "teams.unsure": "The assistant is not sure, so it does not answer. Read the pages below or ask a colleague.",
        "teams.helpful": "👍 Helpful",
        "teams.not_helpful": "👎 Not helpful",
        "teams.reason": "What was wrong?",
        "teams.comment": "Comment (optional)",
        "teams.comment_placeholder": "Do not write personal data here.",
        "teams.send": "Send",
        "teams.thanks": "Thank you! Your feedback has been saved.",
        "teams.not_saved": "Your feedback could not be saved: {message}",
        "teams.ask_something": "Type your question, for example: How long does the applicant have to complete it?",
        "teams.failed": "I could not answer right now: {message}",
        "teams.internal": "Something went wrong and it has been logged. Please try again shortly.",
        "teams.stale": "past its review date",
        "teams.expired": "no longer in force",
    },
}


def messages_for(language: str) -> dict[str, str]:
    """The whole catalogue in one language (Swedish unless English is asked for), for templates."""
    return MESSAGES.get(language, MESSAGES[DEFAULT_LANGUAGE])


@dataclass(frozen=True)
class Phrase:
    """A parameter that is itself a message, translated into the same language: role=Phrase("role.editor")."""

    key: str


def t(key: str, language: str, **params: object) -> str:
    """One message in the language, formatted with params: t("answer.note_stale", "en", title="Avgifter").

    A Phrase parameter is translated too; a tuple of them reads as alternatives ("redaktör eller administratör").
    """
    text = messages_for(language)[key]
    if not params:
        return text
    return text.format(**{name: _param(value, language) for name, value in params.items()})


def _param(value: object, language: str) -> object:
    if isinstance(value, Phrase):
        return t(value.key, language)
    if isinstance(value, tuple) and value and all(isinstance(v, Phrase) for v in value):
        words = [t(v.key, language) for v in value]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {t('error.or', language)} {words[-1]}"
    return value


def group(prefix: str, language: str) -> dict[str, str]:
    """The messages under 'prefix.' with the prefix taken off: group("slack", "sv")["sources"]."""
    start = prefix + "."
    return {key[len(start) :]: text for key, text in messages_for(language).items() if key.startswith(start)}


def parameters(text: str) -> set[str]:
    """The format fields a message takes: '{n} frågor' -> {'n'}."""
    return {field for _, field, _, _ in Formatter().parse(text) if field}
