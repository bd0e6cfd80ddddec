"""The default message templates, in Finnish, English and Swedish.

Each step of the recovery protocol says one thing plainly: we heard you; this is what
went wrong, we apologise, this is what we will do and by when; it is done; did we put it
right? An organisation overrides any of them on the template editor page. Placeholders
are listed in :data:`kohtaamo.cases.templates.PLACEHOLDERS`; a placeholder stands where
Finnish needs no inflection (after a colon, in parentheses).
"""

from __future__ import annotations

# (key, language) -> (subject, body)
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("acknowledge", "fi"): (
        "Kuulimme sinua – tapaus #{case_number}",
        "Hei {customer_name},\n\n"
        "kiitos, että kerroit meille, mitä tapahtui ({touchpoint}). Olemme lukeneet "
        "palautteesi, ja olemme pahoillamme, ettei kaikki mennyt niin kuin piti.\n\n"
        "Selvitämme asiaa nyt ja kerromme sinulle pian, mikä meni vikaan ja mitä teemme "
        "asian korjaamiseksi.\n\n"
        "Voit lisätä jotain tai vastata meille tästä: {reply_link}\n\n"
        "Ystävällisin terveisin\n{handler_name}\n{organisation}",
    ),
    ("acknowledge", "en"): (
        "We heard you – case #{case_number}",
        "Dear {customer_name},\n\n"
        "thank you for telling us what happened ({touchpoint}). We have read your "
        "feedback, and we are sorry that things did not go as they should have.\n\n"
        "We are looking into it now and will soon tell you what went wrong and what we "
        "will do to put it right.\n\n"
        "You can add anything or answer us here: {reply_link}\n\n"
        "Best regards,\n{handler_name}\n{organisation}",
    ),
    ("acknowledge", "sv"): (
        "Vi har hört dig – ärende #{case_number}",
        "Hej {customer_name},\n\n"
        "tack för att du berättade för oss vad som hände ({touchpoint}). Vi har läst din "
        "återkoppling och vi beklagar att allt inte gick som det skulle.\n\n"
        "Vi utreder saken nu och berättar snart vad som gick fel och vad vi gör för att "
        "rätta till det.\n\n"
        "Du kan lägga till något eller svara oss här: {reply_link}\n\n"
        "Vänliga hälsningar\n{handler_name}\n{organisation}",
    ),
    ("apology_plan", "fi"): (
        "Mikä meni vikaan ja miten korjaamme sen – tapaus #{case_number}",
        "Hei {customer_name},\n\n"
        "olemme selvittäneet, mitä tapahtui, ja haluamme kertoa sen sinulle suoraan.\n\n"
        "Mikä meni vikaan: {what_went_wrong}\n\n"
        "Pyydämme anteeksi. Näin ei olisi pitänyt käydä, ja vastuu on meidän.\n\n"
        "Mitä teemme: {plan_action}\n"
        "Mihin mennessä: {plan_due}\n\n"
        "Kerromme sinulle, kun asia on tehty. Voit vastata meille tästä: {reply_link}\n\n"
        "Ystävällisin terveisin\n{handler_name}\n{organisation}",
    ),
    ("apology_plan", "en"): (
        "What went wrong and how we will put it right – case #{case_number}",
        "Dear {customer_name},\n\n"
        "we have looked into what happened, and we want to be open with you about it.\n\n"
        "What went wrong: {what_went_wrong}\n\n"
        "We apologise. It should not have happened, and it is our responsibility.\n\n"
        "What we will do: {plan_action}\n"
        "By: {plan_due}\n\n"
        "We will tell you when it is done. You can answer us here: {reply_link}\n\n"
        "Best regards,\n{handler_name}\n{organisation}",
    ),
    ("apology_plan", "sv"): (
        "Vad som gick fel och hur vi rättar till det – ärende #{case_number}",
        "Hej {customer_name},\n\n"
        "vi har utrett vad som hände och vill vara öppna mot dig.\n\n"
        "Vad som gick fel: {what_went_wrong}\n\n"
        "Vi ber om ursäkt. Det borde inte ha hänt, och ansvaret är vårt.\n\n"
        "Vad vi gör: {plan_action}\n"
        "Senast: {plan_due}\n\n"
        "Vi meddelar dig när det är gjort. Du kan svara oss här: {reply_link}\n\n"
        "Vänliga hälsningar\n{handler_name}\n{organisation}",
    ),
    ("resolved", "fi"): (
        "Asia on korjattu – tapaus #{case_number}",
        "Hei {customer_name},\n\n"
        "olemme nyt tehneet sen, minkä lupasimme: {plan_action}\n\n"
        "Kiitos kärsivällisyydestäsi ja siitä, että kerroit meille: se auttaa meitä "
        "palvelemaan kaikkia paremmin. Jos jokin on vielä pielessä, vastaa meille tästä: "
        "{reply_link}\n\n"
        "Ystävällisin terveisin\n{handler_name}\n{organisation}",
    ),
    ("resolved", "en"): (
        "It has been put right – case #{case_number}",
        "Dear {customer_name},\n\n"
        "we have now done what we promised: {plan_action}\n\n"
        "Thank you for your patience, and for telling us: it helps us do better for "
        "everyone. If something is still not right, answer us here: {reply_link}\n\n"
        "Best regards,\n{handler_name}\n{organisation}",
    ),
    ("resolved", "sv"): (
        "Det har rättats till – ärende #{case_number}",
        "Hej {customer_name},\n\n"
        "vi har nu gjort det vi lovade: {plan_action}\n\n"
        "Tack för ditt tålamod och för att du berättade för oss: det hjälper oss att bli "
        "bättre för alla. Om något fortfarande inte är rätt, svara oss här: {reply_link}\n\n"
        "Vänliga hälsningar\n{handler_name}\n{organisation}",
    ),
    ("followup", "fi"): (
        "Saimmeko asian kuntoon? – tapaus #{case_number}",
        "Hei {customer_name},\n\n"
        "korjasimme hetki sitten ongelman, josta kerroit meille. Kertoisitko, saimmeko "
        "asian kuntoon? Vastaaminen vie puoli minuuttia: {followup_link}\n\n"
        "Vastauksesi menee suoraan asiaasi hoitaneelle.\n\n"
        "Ystävällisin terveisin\n{handler_name}\n{organisation}",
    ),
    ("followup", "en"): (
        "Did we put it right? – case #{case_number}",
        "Dear {customer_name},\n\n"
        "a little while ago we fixed the problem you told us about. Would you tell us "
        "whether we put it right? It takes half a minute: {followup_link}\n\n"
        "Your answer goes straight to the person who handled your case.\n\n"
        "Best regards,\n{handler_name}\n{organisation}",
    ),
    ("followup", "sv"): (
        "Blev det rätt? – ärende #{case_number}",
        "Hej {customer_name},\n\n"
        "för en tid sedan åtgärdade vi problemet du berättade om. Vill du berätta för oss "
        "om det blev rätt? Det tar en halv minut: {followup_link}\n\n"
        "Ditt svar går direkt till den som hanterade ditt ärende.\n\n"
        "Vänliga hälsningar\n{handler_name}\n{organisation}",
    ),
}

# Said instead of an unknown name or touchpoint, so a sentence never has a hole.
CUSTOMER_FALLBACK = {"fi": "asiakkaamme", "en": "customer", "sv": "kära kund"}
TOUCHPOINT_FALLBACK = {"fi": "palvelumme", "en": "our service", "sv": "vår tjänst"}
# The line added when a handler's message lost its reply (or follow-up) link.
REPLY_LINE = {
    "fi": "Voit vastata meille tästä: {link}",
    "en": "You can answer us here: {link}",
    "sv": "Du kan svara oss här: {link}",
}
FOLLOWUP_LINE = {
    "fi": "Kerro meille, saimmeko asian kuntoon: {link}",
    "en": "Tell us whether we put it right: {link}",
    "sv": "Berätta för oss om det blev rätt: {link}",
}
