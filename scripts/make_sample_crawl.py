"""Write a small generated web crawl: `samples/crawl/sample.warc.gz` (and, for benchmarks, larger ones).

Pages are assembled from sentence pools in six EU languages on three topics (health, climate,
public administration), with a navigation menu and footer (boilerplate), media links, some contact
lines with e-mail addresses, phone numbers and IBANs, some near and exact copies, some pages that
reserve TDM rights (robots noai), and a few non-HTML records. Seeded: the same arguments give the
same pages.

    .venv/bin/python scripts/make_sample_crawl.py                       # the shipped sample
    .venv/bin/python scripts/make_sample_crawl.py --pages 20000 --out /tmp/crawl.warc.gz
"""

from __future__ import annotations

import argparse
import random
from io import BytesIO
from pathlib import Path

SENTENCES = {
    ("en", "health"): [
        "The regional hospital has opened a new centre for mental health and public health research.",
        "Patients with chronic disease can now receive treatment and therapy close to their homes.",
        "Doctors and nurses work with three university hospitals to improve diagnosis and care.",
        "A vaccination programme for older patients started this spring across the region.",
        "Early diagnosis of diabetes and cardiovascular disease saves lives and reduces costs.",
        "The clinic also trains medical students in clinical practice every year.",
        "Families are welcome to visit the centre and to ask about the services offered.",
        "Waiting times for surgery have fallen since the hospital added two operating theatres.",
        "The public health agency publishes weekly figures on influenza and other infections.",
        "Pharmacists can now give advice on medicines and on the treatment of minor illnesses.",
    ],
    ("de", "health"): [
        "Das städtische Krankenhaus erweitert seine Klinik für Kardiologie und psychische Gesundheit.",
        "Patientinnen und Patienten mit chronischen Erkrankungen erhalten dort eine moderne Behandlung.",
        "Die Ärztinnen und Ärzte arbeiten eng mit der Pflege und den Apotheken der Region zusammen.",
        "Eine neue Impfkampagne für ältere Menschen hat im Frühjahr begonnen.",
        "Die frühe Diagnose von Diabetes und Krebs verbessert die Heilungschancen deutlich.",
        "Das Krankenhaus bildet jedes Jahr viele Studierende der Medizin aus.",
        "Besucher können sich über die Angebote der Gesundheitsversorgung informieren.",
        "Die Wartezeiten für Operationen sind seit der Eröffnung zweier neuer Säle gesunken.",
        "Das Gesundheitsamt veröffentlicht wöchentlich Zahlen zu Grippe und anderen Infektionen.",
        "In der Apotheke erhalten Patienten Beratung zu Medikamenten und leichten Erkrankungen.",
    ],
    ("fr", "health"): [
        "L'hôpital régional ouvre un nouveau service consacré à la santé mentale et à la santé publique.",
        "Les patients atteints de maladies chroniques peuvent recevoir des soins près de chez eux.",
        "Les médecins et les infirmières travaillent avec trois centres hospitaliers universitaires.",
        "Une campagne de vaccination pour les personnes âgées a commencé ce printemps.",
        "Le diagnostic précoce du diabète et du cancer sauve des vies et réduit le coût des soins.",
        "L'hôpital forme chaque année des étudiants en médecine à la pratique clinique.",
        "Les familles sont invitées à visiter le service et à poser leurs questions.",
        "Les délais d'attente pour la chirurgie ont baissé depuis l'ouverture de deux blocs opératoires.",
        "L'agence de santé publie chaque semaine les chiffres de la grippe et des autres infections.",
        "Les pharmaciens conseillent les patients sur les médicaments et les maladies bénignes.",
    ],
    ("el", "health"): [
        "Το περιφερειακό νοσοκομείο ανοίγει ένα νέο κέντρο για την ψυχική υγεία και τη δημόσια υγεία.",
        "Οι ασθενείς με χρόνια νοσήματα μπορούν τώρα να λάβουν θεραπεία κοντά στο σπίτι τους.",
        "Οι γιατροί και οι νοσηλευτές συνεργάζονται με τρία πανεπιστημιακά νοσοκομεία.",
        "Ένα πρόγραμμα εμβολιασμού για τους ηλικιωμένους ξεκίνησε την άνοιξη.",
        "Η έγκαιρη διάγνωση του διαβήτη και του καρκίνου σώζει ζωές και μειώνει το κόστος.",
        "Το νοσοκομείο εκπαιδεύει κάθε χρόνο φοιτητές ιατρικής στην κλινική πράξη.",
        "Οι οικογένειες είναι ευπρόσδεκτες να επισκεφθούν το κέντρο και να κάνουν ερωτήσεις.",
        "Οι χρόνοι αναμονής για χειρουργεία μειώθηκαν μετά το άνοιγμα δύο νέων αιθουσών.",
        "Ο οργανισμός δημόσιας υγείας δημοσιεύει κάθε εβδομάδα στοιχεία για τη γρίπη.",
        "Οι φαρμακοποιοί συμβουλεύουν τους ασθενείς για τα φάρμακα και τις ελαφριές ασθένειες.",
    ],
    ("es", "health"): [
        "El hospital provincial ha inaugurado una nueva unidad de salud mental y de salud pública.",
        "Los pacientes con enfermedades crónicas pueden recibir ahora el tratamiento cerca de su casa.",
        "Los médicos y el personal de enfermería colaboran con tres hospitales universitarios.",
        "Una campaña de vacunación para las personas mayores comenzó esta primavera.",
        "El diagnóstico precoz de la diabetes y del cáncer salva vidas y reduce el coste.",
        "El hospital forma cada año a estudiantes de medicina en la práctica clínica.",
        "Las familias pueden visitar la unidad y preguntar por los servicios que se ofrecen.",
        "Las listas de espera para cirugía han bajado desde la apertura de dos quirófanos.",
        "La agencia de salud publica cada semana las cifras de la gripe y de otras infecciones.",
        "Los farmacéuticos aconsejan a los pacientes sobre medicamentos y enfermedades leves.",
    ],
    ("en", "climate"): [
        "The new climate report shows that greenhouse gas emissions fell for the third year in a row.",
        "Renewable energy from solar and wind power now covers half of the demand for electricity.",
        "Scientists warn that droughts, floods and heatwaves are becoming more frequent.",
        "The council has adopted an adaptation plan that protects rivers, forests and biodiversity.",
        "Farmers and cities have to prepare for hotter summers and for less rain.",
        "The plan also funds the decarbonisation of public transport and of school heating.",
        "Citizens can read the full report on the website of the environment agency.",
        "Carbon emissions from buildings remain the largest challenge for the region.",
    ],
    ("pl", "public_administration"): [
        "Urząd gminy informuje, że wnioski o dowód osobisty można składać także przez internet.",
        "Obywatele, którzy nie mają profilu zaufanego, mogą przyjść do urzędu w godzinach pracy.",
        "Nowe rozporządzenie ministerstwa skraca czas oczekiwania na dokumenty do dwóch tygodni.",
        "Formularze są dostępne na stronie administracji oraz w punkcie obsługi mieszkańców.",
        "Rada gminy przyjęła również uchwałę w sprawie budżetu na przyszły rok.",
        "Większość środków zostanie przeznaczona na szkoły, drogi i usługi publiczne.",
        "Wszystkie dokumenty są jawne i można je przeczytać w biuletynie informacji publicznej.",
    ],
}
HOSTS = {"health": "health", "climate": "climate", "public_administration": "gov"}
CONTACTS = [
    "For appointments, write to anna.keller@example-hospital.eu or call +49 30 901820 during office hours.",
    "Donations to the patient fund can be made to IBAN DE89 3704 0044 0532 0130 00 with the reference care.",
    "Kontakt: sekretariat@klinik-beispiel.de, Telefon +43 1 40400 0, Spendenkonto AT61 1904 3002 3457 3201.",
    "Contact : accueil@hopital-exemple.fr ou +33 1 42 34 82 34, IBAN FR14 2004 1010 0505 0001 3M02 606.",
]
NAV = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(25))
FOOTER = "<footer><p>Home | About | Contact | Imprint | Privacy | Sitemap</p></footer>"


def page_html(title: str, paragraphs: list[str], language: str, head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'><title>{title}</title>{head}"
        f"</head><body><nav><ul>{NAV}</ul></nav><main><article><h1>{title}</h1>{body}"
        f"<img src='/img/{len(title)}.jpg' alt=''><audio src='/audio/{len(body)}.mp3'></audio>"
        f"</article></main>{FOOTER}</body></html>"
    )


def generate_records(pages: int, seed: int = 0) -> list[tuple[str, bytes, str, str]]:
    """(url, body, content type, HTTP status) of `pages` records, seeded."""
    rng = random.Random(seed)
    pools = list(SENTENCES)
    vocabulary = {
        key: sorted({w for s in lines for w in s.rstrip(".").split() if len(w) > 3})
        for key, lines in SENTENCES.items()
    }
    records: list[tuple[str, bytes, str, str]] = []
    for i in range(pages):
        roll = rng.random()
        if roll < 0.02:
            records.append(
                (
                    f"https://static.example.eu/{i}.png",
                    b"\x89PNG\r\n\x1a\n" + bytes(64),
                    "image/png",
                    "200 OK",
                )
            )
            continue
        if roll < 0.10 and records:  # near or exact copy of an earlier page
            url, body, kind, status = rng.choice(records[-50:])
            if roll < 0.05:
                body = body.replace(b"</article>", b"<p>Updated.</p></article>", 1)
            records.append((f"https://mirror{i}.example.eu/{url.rsplit('/', 1)[-1]}", body, kind, status))
            continue
        language, topic = rng.choice(pools)
        sentences = SENTENCES[(language, topic)]
        chosen = [
            _vary(s, vocabulary[(language, topic)], rng) for s in rng.sample(sentences, k=len(sentences) - 1)
        ]
        third = len(chosen) // 3
        paragraphs = [
            " ".join(chosen[:third]),
            " ".join(chosen[third : 2 * third]),
            " ".join(chosen[2 * third :]),
        ]
        if rng.random() < 0.15:
            paragraphs.append(rng.choice(CONTACTS))
        head = "<meta name='robots' content='noai'>" if rng.random() < 0.03 else ""
        html = page_html(sentences[0][:60], paragraphs, language, head)
        records.append(
            (
                f"https://{HOSTS[topic]}{i % 97}.example.eu/{language}/page-{i}",
                html.encode(),
                "text/html; charset=utf-8",
                "200 OK",
            )
        )
    return records


def _vary(sentence: str, words: list[str], rng: random.Random, share: float = 0.15) -> str:
    """The sentence with about `share` of its inner words swapped for other words of its topic (so that
    generated pages are distinct documents, not near copies of each other)."""
    tokens = sentence.rstrip(".").split()
    for position in range(1, len(tokens)):
        if rng.random() < share:
            tokens[position] = rng.choice(words)
    return " ".join(tokens) + "."


def write_crawl(path: Path, pages: int, seed: int = 0) -> Path:
    """Write the generated records as a gzipped WARC file with warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(path.name, {"software": "aiflab make_sample_crawl"})
        )
        for url, body, kind, status in generate_records(pages, seed):
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers)
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "samples/crawl/sample.warc.gz"
    )
    args = parser.parse_args()
    path = write_crawl(args.out, args.pages, args.seed)
    print(f"wrote {path} ({path.stat().st_size:,} bytes, {args.pages} records)")


if __name__ == "__main__":
    main()
