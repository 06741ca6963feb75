"""HTML pages written for the webdata tests, and a WARC writer (warcio) for them."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

NAV = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(40))
FOOTER = (
    "<footer><p>Home | About | Contact | Imprint | Sitemap | Accessibility</p>"
    "<p>Follow us on social media. Subscribe to our newsletter.</p></footer>"
)

EN_HEALTH = """<p>The regional hospital has opened a new centre for mental health and public health research.
Patients with chronic disease can now receive treatment and therapy close to their homes. The clinic works
with doctors and nurses from three university hospitals to improve diagnosis and care. A vaccination
programme for older patients started this spring and has already reached many people in the region.</p>
<p>Our physicians explained that early diagnosis of diabetes and cardiovascular disease saves lives and
reduces the cost of treatment. The hospital also trains medical students in clinical practice every year.
Families are welcome to visit the centre and to ask questions about the services that are offered.</p>"""

EN_CONTACT = """<p>For appointments, write to anna.keller@example-hospital.eu or call +49 30 901820 during
office hours. Donations to the patient fund can be made to IBAN DE89 3704 0044 0532 0130 00 with the reference
"care". The Italian office can be reached at info@ospedale-esempio.it and the Dutch team at
+31 20 624 1111.</p>"""

DE_HEALTH = """<p>Das städtische Krankenhaus erweitert seine Klinik für Kardiologie und psychische Gesundheit.
Patientinnen und Patienten mit chronischen Erkrankungen erhalten dort eine moderne Behandlung und Therapie.
Die Ärztinnen und Ärzte arbeiten eng mit der Pflege und den Apotheken der Region zusammen. Eine neue
Impfkampagne für ältere Menschen hat im Frühjahr begonnen und wird von der Gesundheitsbehörde unterstützt.</p>
<p>Nach Angaben der Klinikleitung verbessert die frühe Diagnose von Diabetes und Krebs die Heilungschancen
deutlich. Außerdem bildet das Krankenhaus jedes Jahr viele Studierende der Medizin aus. Besucher sind
willkommen und können sich über die Angebote der Gesundheitsversorgung informieren.</p>"""

FR_HEALTH = """<p>L'hôpital régional ouvre un nouveau service consacré à la santé mentale et à la santé
publique. Les patients atteints de maladies chroniques peuvent désormais recevoir des soins et un traitement
près de chez eux. Les médecins et les infirmières travaillent avec trois centres hospitaliers universitaires
pour améliorer le diagnostic. Une campagne de vaccination pour les personnes âgées a commencé ce printemps
et elle a déjà touché beaucoup de familles de la région.</p>
<p>Selon la direction, le diagnostic précoce du diabète et du cancer sauve des vies et réduit le coût des
soins. L'hôpital forme aussi chaque année des étudiants en médecine à la pratique clinique. Les familles
sont invitées à visiter le service et à poser leurs questions sur les soins proposés.</p>"""

EL_HEALTH = """<p>Το περιφερειακό νοσοκομείο ανοίγει ένα νέο κέντρο για την ψυχική υγεία και τη δημόσια
υγεία. Οι ασθενείς με χρόνια νοσήματα μπορούν τώρα να λάβουν θεραπεία κοντά στο σπίτι τους. Οι γιατροί και
οι νοσηλευτές συνεργάζονται με τρία πανεπιστημιακά νοσοκομεία για καλύτερη διάγνωση και φροντίδα. Ένα
πρόγραμμα εμβολιασμού για τους ηλικιωμένους ξεκίνησε την άνοιξη και έχει ήδη φτάσει σε πολλές οικογένειες.</p>
<p>Σύμφωνα με τη διοίκηση, η έγκαιρη διάγνωση του διαβήτη και του καρκίνου σώζει ζωές και μειώνει το κόστος
της θεραπείας. Το νοσοκομείο εκπαιδεύει επίσης κάθε χρόνο φοιτητές ιατρικής στην κλινική πράξη. Οι
οικογένειες είναι ευπρόσδεκτες να επισκεφθούν το κέντρο και να κάνουν τις ερωτήσεις τους για τις
υπηρεσίες.</p>"""

ES_HEALTH = """<p>El hospital provincial ha inaugurado una nueva unidad de salud mental y de salud pública.
Los pacientes con enfermedades crónicas pueden recibir ahora el tratamiento y la terapia cerca de su casa.
Los médicos y el personal de enfermería colaboran con tres hospitales universitarios para mejorar el
diagnóstico. Una campaña de vacunación para las personas mayores comenzó esta primavera en toda la región.</p>
<p>Según la dirección, el diagnóstico precoz de la diabetes y del cáncer salva vidas y reduce el coste del
tratamiento. El hospital también forma cada año a estudiantes de medicina en la práctica clínica. Las
familias pueden visitar la unidad y preguntar por los servicios que se ofrecen a los pacientes.</p>"""

EN_CLIMATE = """<p>The new climate report shows that greenhouse gas emissions in the region fell for the
third year in a row. Renewable energy from solar and wind power now covers half of the demand for
electricity. Scientists warn, however, that droughts, floods and heatwaves are becoming more frequent.
The council has adopted an adaptation plan that protects rivers and forests and supports biodiversity.</p>
<p>Farmers and cities have to prepare for hotter summers and for less rain in the growing season. The plan
also funds the decarbonisation of public transport and of the heating of schools. Citizens can read the
full report on the website of the environment agency and send their comments until the end of the year.</p>"""

PL_ADMIN = """<p>Urząd gminy informuje, że wnioski o dowód osobisty można składać także przez internet.
Obywatele, którzy nie mają profilu zaufanego, mogą przyjść do urzędu w godzinach pracy. Nowe
rozporządzenie ministerstwa skraca czas oczekiwania na dokumenty do dwóch tygodni. Formularze są dostępne
na stronie administracji oraz w punkcie obsługi mieszkańców.</p>
<p>Rada gminy przyjęła również uchwałę w sprawie budżetu na przyszły rok. Większość środków zostanie
przeznaczona na szkoły, drogi i usługi publiczne dla mieszkańców. Wszystkie dokumenty są jawne i można je
przeczytać w biuletynie informacji publicznej urzędu.</p>"""


def page(title: str, body: str, lang: str, head: str = "", boilerplate: bool = False) -> str:
    nav = f"<nav><ul>{NAV}</ul></nav>" if boilerplate else ""
    footer = FOOTER if boilerplate else ""
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>{head}"
        f"</head><body>{nav}<main><article><h1>{title}</h1>{body}"
        f"<img src='/img/{lang}.jpg' alt='photo'><video><source src='/v/{lang}.mp4' type='video/mp4'></video>"
        f"</article></main>{footer}</body></html>"
    )


@dataclass
class Record:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    headers: tuple[tuple[str, str], ...] = ()


def write_warc(path: Path, records: list[Record], gzip: bool = True) -> Path:
    """A WARC file of HTTP response records (and one request record), written with warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "aiflab tests"}))
        for record in records:
            headers = StatusAndHeaders(
                record.status, [("Content-Type", record.content_type), *record.headers], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    record.url, "response", payload=BytesIO(record.body), http_headers=headers
                )
            )
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.eu")], is_http_request=True)
            writer.write_record(writer.create_warc_record(record.url, "request", http_headers=request))
    return path


def crawl_records() -> list[Record]:
    """The main test crawl: health pages in five languages, near and exact duplicates, PII, an opt-out."""
    fr_near = FR_HEALTH.replace("ce printemps", "au printemps").replace("chaque année", "tous les ans")
    html = {
        "en": page("Mental health centre opens", EN_HEALTH + EN_CONTACT, "en"),
        "de": page("Neue Klinik für psychische Gesundheit", DE_HEALTH, "de"),
        "fr": page("Santé mentale : un nouveau service", FR_HEALTH, "fr"),
        "fr-near": page("Santé mentale : un nouveau service", fr_near, "fr"),
        "el": page("Νέο κέντρο ψυχικής υγείας", EL_HEALTH, "el"),
        "es": page("Nueva unidad de salud mental", ES_HEALTH, "es", boilerplate=True),
        "climate": page(
            "Climate report: emissions fall",
            EN_CLIMATE,
            "en",
            head="<link rel='license' href='https://creativecommons.org/licenses/by/4.0/'>",
        ),
        "pl": page("Wnioski przez internet", PL_ADMIN, "pl"),
        "optout": page(
            "Hospital news (reserved)",
            EN_HEALTH.replace("regional", "city"),
            "en",
            head="<meta name='robots' content='noai, noimageai'>",
        ),
        "tdm": page(
            "Krankenhaus aktuell",
            DE_HEALTH.replace("städtische", "kommunale"),
            "de",
            head="<meta name='tdm-reservation' content='1'>",
        ),
    }
    return [
        Record("https://health.example.eu/en/centre", html["en"].encode()),
        Record("https://klinik.example.de/psychische-gesundheit", html["de"].encode()),
        Record("https://sante.example.fr/service", html["fr"].encode()),
        Record("https://miroir.example.fr/service", html["fr-near"].encode()),
        Record("https://ygeia.example.gr/kentro", html["el"].encode()),
        Record("https://salud.example.es/unidad", html["es"].encode()),
        Record("https://news.example.eu/climate", html["climate"].encode()),
        Record("https://gmina.example.pl/wnioski", html["pl"].encode()),
        Record("https://copy.example.eu/en/centre", html["en"].encode()),  # exact duplicate
        Record("https://reserved.example.eu/news", html["optout"].encode()),
        Record("https://tdm.example.de/aktuell", html["tdm"].encode()),
        Record("https://health.example.eu/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
        Record(
            "https://health.example.eu/missing",
            b"<html><body>Not found</body></html>",
            status="404 Not Found",
        ),
        Record("https://short.example.eu/", page("Short", "<p>Too short to keep.</p>", "en").encode()),
    ]
