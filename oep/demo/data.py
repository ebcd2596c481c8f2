"""The demo programme's content, modelled on an EU intercultural mutual-learning project.

Organisation names are invented; any likeness to a real organisation is by chance.
"""

PROGRAMME = {
    "name": "OEP 2026 — Intercultural Cities Learning Together",
    "description": (
        "A ten-month programme in five European cities in which civil-society organisations and "
        "migrant associations strengthen their organisations together, exchange skills in pairs "
        "and co-deliver workshops in their communities."
    ),
    "languages": ["en", "it", "el", "de", "da", "ar", "uk"],
    "signatory": ("Dr. Sofia Marino", "Programme Coordinator"),
}

MODULES = [
    (
        "Organisational development and good governance",
        "Statutes, boards, decision-making and accountability in small associations.",
        6,
        True,
    ),
    (
        "Project design and fundraising",
        "From an idea to a fundable project: needs analysis, logframes, budgets and donors.",
        6,
        True,
    ),
    ("Volunteer management", "Recruiting, supporting and keeping volunteers from every background.", 4, False),
    (
        "Intercultural communication and mediation",
        "Working across languages and cultures; mediating conflicts in communities.",
        6,
        True,
    ),
    (
        "Communication and social media",
        "Telling your organisation's story with little money and much impact.",
        4,
        False,
    ),
    (
        "Networking and advocacy with local authorities",
        "Getting a seat at the table: committees, consultations and alliances.",
        4,
        True,
    ),
    ("Co-designing skill-transfer workshops", "Planning the workshop each pairing delivers in its community.", 6, True),
    ("Evaluation and measuring impact", "Simple ways to know, and to show, what your work changes.", 4, False),
]

COMPETENCES = [
    ("Fundraising", "Finding and applying for grants, donations and sponsorship."),
    ("Financial management", "Bookkeeping, budgets and financial reporting."),
    ("EU grant reporting", "Reporting to EU and national funders."),
    ("Project management", "Planning and running projects on time and budget."),
    ("Volunteer management", "Recruiting, training and keeping volunteers."),
    ("Intercultural mediation", "Mediating between people of different cultures and institutions."),
    ("Community outreach", "Reaching people that institutions do not reach."),
    ("Social media", "Running an organisation's social media channels."),
    ("Event organisation", "Organising cultural and community events."),
    ("Advocacy", "Speaking up to local authorities and policy makers."),
    ("Legal knowledge: migration and residence", "Residence permits, family reunification, labour rights."),
    ("Language teaching", "Teaching the local language to newcomers."),
    ("Translation and interpreting", "Community languages into the local language and back."),
    ("Youth work", "Activities with and for young people."),
    ("Women's empowerment", "Groups and programmes with and for women."),
    ("Digital skills", "Computers, online services and digital safety."),
]

#: Competences each kind of organisation tends to offer (the demo draws from these).
OFFER_BIAS = {
    "cso": [
        "Fundraising",
        "Financial management",
        "EU grant reporting",
        "Project management",
        "Volunteer management",
        "Advocacy",
        "Social media",
        "Digital skills",
    ],
    "migrant_association": [
        "Intercultural mediation",
        "Community outreach",
        "Translation and interpreting",
        "Event organisation",
        "Women's empowerment",
        "Youth work",
    ],
    "other": [
        "Language teaching",
        "Digital skills",
        "Event organisation",
        "Legal knowledge: migration and residence",
        "Youth work",
    ],
}
NEED_BIAS = {
    "cso": [
        "Intercultural mediation",
        "Community outreach",
        "Translation and interpreting",
        "Event organisation",
        "Youth work",
    ],
    "migrant_association": [
        "Fundraising",
        "Financial management",
        "EU grant reporting",
        "Project management",
        "Social media",
        "Advocacy",
        "Legal knowledge: migration and residence",
    ],
    "other": ["Community outreach", "Intercultural mediation", "Social media", "Fundraising"],
}

SITES = [
    {
        "city": "Palermo",
        "country": "IT",
        "timezone": "Europe/Rome",
        "local_language": "it",
        "partner": "CESIE Sud — Centro Studi e Iniziative",
        "trainers": [("Giulia Russo", "trainer.palermo@example.org"), ("Karim Benali", "karim.benali@example.org")],
        "committee": [
            ("Marco Lo Bianco", "Comune di Palermo — Assessorato alle Culture", "local_authority"),
            ("Fatou Diop", "Associazione Donne Senegalesi", "migrant_association"),
            ("Padre Sergio Vitale", "Parrocchia di Santa Chiara", "faith_community"),
            ("Rosa Ferrante", "Arcobaleno Palermo", "cso"),
            ("Ahmed Rahman", "Comunità Bengalese", "key_person"),
            ("Elena Sciortino", "Biblioteca delle Culture", "other"),
            ("Kwame Mensah", "Ghanaian Union Palermo", "migrant_association"),
        ],
        "organisations": [
            ("Associazione Arcobaleno Palermo", "cso", "Social inclusion", ["it", "en"]),
            ("Comunità Bengalese di Palermo", "migrant_association", "Community support", ["bn"]),
            ("Cooperativa Sociale Al Qantara", "cso", "Reception and integration", ["it", "ar", "fr"]),
            ("Associazione Donne Tunisine in Sicilia", "migrant_association", "Women's rights", ["ar", "it", "fr"]),
            ("Ghanaian Union Palermo", "migrant_association", "Culture and mutual aid", ["en", "it"]),
            ("Comunità Islamica di Palermo", "faith_community", "Faith and social support", ["ar", "it"]),
            ("Biblioteca delle Culture", "education", "Libraries and reading", ["it", "en", "fr"]),
            ("Santa Chiara Solidale", "cso", "Youth and families", ["it"]),
            ("Rete Giovani Migranti Sicilia", "migrant_association", "Youth", ["it", "en", "fr", "ar"]),
            ("Sportello Immigrati — Camera del Lavoro", "union", "Labour rights", ["it", "en"]),
            ("Associazione Nigeriana Sicilia", "migrant_association", "Culture and mutual aid", ["en", "yo", "it"]),
            ("Laboratorio Zen Insieme", "cso", "Neighbourhood development", ["it"]),
        ],
    },
    {
        "city": "Athens",
        "country": "GR",
        "timezone": "Europe/Athens",
        "local_language": "el",
        "partner": "Κέντρο Κοινωνικής Καινοτομίας Αθήνας",
        "trainers": [
            ("Eleni Papadopoulou", "trainer.athens@example.org"),
            ("Nikos Georgiou", "nikos.georgiou@example.org"),
        ],
        "committee": [
            ("Μαρία Κωνσταντίνου", "Δήμος Αθηναίων — Αντιδημαρχία Κοινωνικής Πολιτικής", "local_authority"),
            ("Jamal Nouri", "Afghan Community of Greece", "migrant_association"),
            ("Γιώργος Αλεξίου", "Δίκτυο Εθελοντών Αθήνας", "cso"),
            ("Rowena Santos", "Filipino Workers Association", "key_person"),
            ("π. Δημήτριος Σταύρου", "Ενορία Αγίου Παντελεήμονα", "faith_community"),
            ("Amani Hassan", "Syrian Cultural Association", "migrant_association"),
        ],
        "organisations": [
            ("Δίκτυο Εθελοντών Αθήνας", "cso", "Volunteering", ["el", "en"]),
            ("Afghan Community of Greece", "migrant_association", "Community support", ["fa", "ps", "el"]),
            ("Σύλλογος Γυναικών Κυψέλης", "cso", "Women's rights", ["el"]),
            ("Syrian Cultural Association Athens", "migrant_association", "Culture", ["ar", "el", "en"]),
            ("Pakistani Community Hellas", "migrant_association", "Community support", ["ur", "pa", "el", "en"]),
            ("Filipino Workers Association Athens", "migrant_association", "Workers' rights", ["tl", "en", "el"]),
            ("Κοινωνικό Παντοπωλείο Αγίου Παντελεήμονα", "faith_community", "Food aid", ["el"]),
            ("Δημοτική Βιβλιοθήκη Κυψέλης", "education", "Libraries and reading", ["el", "en"]),
            ("Γέφυρα Πολιτισμών", "cso", "Intercultural dialogue", ["el", "en", "ar"]),
            ("Nigerian Community Greece", "migrant_association", "Culture and mutual aid", ["en", "el"]),
            ("Κοινωνικό Ιατρείο Ελληνικού", "cso", "Health", ["el", "en"]),
            ("Ukrainian Women of Athens", "migrant_association", "Women and families", ["uk", "ru", "el"]),
        ],
    },
    {
        "city": "Kassel",
        "country": "DE",
        "timezone": "Europe/Berlin",
        "local_language": "de",
        "partner": "Interkulturelles Forum Nordhessen e.V.",
        "trainers": [("Anna Schneider", "trainer.kassel@example.org"), ("Mehmet Aydın", "mehmet.aydin@example.org")],
        "committee": [
            ("Dr. Thomas Weber", "Stadt Kassel — Integrationsbüro", "local_authority"),
            ("Semira Tesfaye", "Eritreische Gemeinde Nordhessen", "migrant_association"),
            ("Katrin Hoffmann", "Kasseler Freiwilligenagentur", "cso"),
            ("Pfarrerin Ute Lange", "Evangelische Familienbildungsstätte", "faith_community"),
            ("Hassan Al-Khatib", "Deutsch-Syrischer Kulturverein", "migrant_association"),
            ("Olga Nowak", "Nachbarschaftsmütter Nordstadt", "key_person"),
            ("Jens Fischer", "Jugendwerkstatt Kassel", "cso"),
        ],
        "organisations": [
            ("Kasseler Freiwilligenagentur", "cso", "Volunteering", ["de", "en"]),
            ("Deutsch-Syrischer Kulturverein Kassel", "migrant_association", "Culture", ["ar", "de"]),
            ("Eritreische Gemeinde Nordhessen", "migrant_association", "Community support", ["ti", "de", "en"]),
            ("Afghanischer Frauenverein Kassel", "migrant_association", "Women's rights", ["fa", "de"]),
            ("Türkischer Elternverein Kassel", "migrant_association", "Education and parents", ["tr", "de"]),
            ("Nachbarschaftshilfe Nordstadt e.V.", "cso", "Neighbourhood", ["de", "tr"]),
            ("Evangelische Familienbildungsstätte Kassel", "faith_community", "Family education", ["de"]),
            (
                "Stadtbibliothek Kassel — Interkulturelle Bibliothek",
                "education",
                "Libraries and reading",
                ["de", "en", "ar", "tr"],
            ),
            ("Jugendwerkstatt Kassel e.V.", "cso", "Youth and employment", ["de"]),
            ("Polnischer Kulturverein Hessen", "migrant_association", "Culture", ["pl", "de"]),
            ("Umweltgruppe Fulda-Ufer", "cso", "Environment", ["de", "en"]),
            ("Bäckerei Yılmaz & Söhne", "business", "Food trade", ["tr", "de"]),
        ],
    },
    {
        "city": "Aarhus",
        "country": "DK",
        "timezone": "Europe/Copenhagen",
        "local_language": "da",
        "partner": "Foreningen Interkulturelt Aarhus",
        "trainers": [("Mette Jensen", "trainer.aarhus@example.org"), ("Abdi Warsame", "abdi.warsame@example.org")],
        "committee": [
            ("Lars Nielsen", "Aarhus Kommune — Borgerservice og Integration", "local_authority"),
            ("Hodan Ali", "Somalisk Kvindeforening", "migrant_association"),
            ("Birgitte Holm", "Frivilligcenter Aarhus", "cso"),
            ("Imam Yusuf Kaya", "Aarhus Moské Forening", "faith_community"),
            ("Zainab Hussein", "Bydelsmødre Aarhus", "key_person"),
            ("Oleksandr Kovalenko", "Ukrainsk Forening Østjylland", "migrant_association"),
            ("Søren Madsen", "Gellerup Kulturforening", "cso"),
        ],
        "organisations": [
            ("Frivilligcenter Aarhus", "cso", "Volunteering", ["da", "en"]),
            ("Somalisk Kvindeforening Aarhus", "migrant_association", "Women's rights", ["so", "da"]),
            ("Gellerup Kulturforening", "cso", "Culture", ["da", "ar", "so"]),
            ("Dansk-Irakisk Venskabsforening", "migrant_association", "Culture and friendship", ["ar", "ku", "da"]),
            ("Eritreisk Forening i Århus", "migrant_association", "Community support", ["ti", "da"]),
            ("Ukrainsk Forening Østjylland", "migrant_association", "Community support", ["uk", "ru", "da", "en"]),
            ("Aarhus Sprogcafé — Hovedbiblioteket", "education", "Language and reading", ["da", "en"]),
            ("Bydelsmødre Aarhus", "key_person", "Women and families", ["da", "ar", "so", "tr"]),
            ("Aarhus Moské Forening", "faith_community", "Faith and social support", ["ar", "tr", "da"]),
            ("Ungdomshuset Bispehaven", "cso", "Youth", ["da"]),
            ("FOA Aarhus — Integrationsudvalget", "union", "Labour rights", ["da", "en"]),
            ("Tyrkisk Kulturforening Aarhus", "migrant_association", "Culture", ["tr", "da"]),
        ],
    },
    {
        "city": "Thessaloniki",
        "country": "GR",
        "timezone": "Europe/Athens",
        "local_language": "el",
        "partner": "Δίκτυο Κοινωνικής Αλληλεγγύης Θεσσαλονίκης",
        "trainers": [("Dimitra Ioannidou", "trainer.thessaloniki@example.org")],
        "committee": [
            ("Κώστας Βασιλείου", "Δίκτυο Αλληλεγγύης Θεσσαλονίκης", "cso"),
            ("Arben Hoxha", "Albanian Cultural Association", "migrant_association"),
            ("Nino Beridze", "Georgian Community of Northern Greece", "migrant_association"),
            ("Σοφία Τσακίρη", "Εστία Νέων Θεσσαλονίκης", "cso"),
        ],
        "organisations": [
            ("Δίκτυο Αλληλεγγύης Θεσσαλονίκης", "cso", "Social solidarity", ["el", "en"]),
            ("Albanian Cultural Association Thessaloniki", "migrant_association", "Culture", ["sq", "el"]),
            ("Georgian Community of Northern Greece", "migrant_association", "Community support", ["ru", "el"]),
            ("Κοινωνική Κουζίνα Άνω Πόλης", "cso", "Food aid", ["el"]),
            ("Kurdish Association Thessaloniki", "migrant_association", "Culture", ["ku", "ar", "el"]),
            ("Σύλλογος Φίλων Βιβλιοθήκης Καλαμαριάς", "education", "Libraries and reading", ["el"]),
            ("Roma Women's Association Dendropotamos", "migrant_association", "Women's rights", ["el"]),
            ("Εστία Νέων Θεσσαλονίκης", "cso", "Youth", ["el", "en"]),
            ("Congolese Community Thessaloniki", "migrant_association", "Culture and mutual aid", ["fr", "ln", "el"]),
            ("Φιλόπτωχο Αγίας Σοφίας", "faith_community", "Social support", ["el"]),
            ("Thessaloniki Impact Hub", "business", "Social enterprise", ["el", "en"]),
            ("Syrian Students Union Thessaloniki", "migrant_association", "Students", ["ar", "el", "en"]),
        ],
    },
]

FIRST_NAMES = {
    "it": [
        "Giuseppe",
        "Francesca",
        "Salvatore",
        "Chiara",
        "Antonino",
        "Valentina",
        "Giovanni",
        "Martina",
        "Rosalia",
        "Vincenzo",
        "Federica",
        "Davide",
    ],
    "el": [
        "Γιάννης",
        "Μαρία",
        "Κωνσταντίνος",
        "Ελένη",
        "Δημήτρης",
        "Αικατερίνη",
        "Νίκος",
        "Σοφία",
        "Παναγιώτης",
        "Αναστασία",
        "Χρήστος",
        "Βασιλική",
    ],
    "de": [
        "Lukas",
        "Sophie",
        "Jonas",
        "Lena",
        "Felix",
        "Marie",
        "Paul",
        "Hannah",
        "Tobias",
        "Laura",
        "Stefan",
        "Julia",
    ],
    "da": ["Mikkel", "Freja", "Rasmus", "Ida", "Mads", "Emma", "Anders", "Sofie", "Jonas", "Line", "Kasper", "Camilla"],
    "world": [
        "Amina",
        "Mohammed",
        "Fatima",
        "Yusuf",
        "Aisha",
        "Omar",
        "Leila",
        "Tariq",
        "Samira",
        "Kwame",
        "Ngozi",
        "Chidi",
        "Farida",
        "Reza",
        "Mariam",
        "Hamid",
        "Zahra",
        "Abdullahi",
        "Hodan",
        "Oksana",
        "Taras",
        "Priya",
        "Rahim",
        "Nasrin",
        "Tesfay",
        "Selam",
        "Arjola",
        "Giorgi",
        "Ayşe",
        "Emre",
        "Jomar",
        "Maricel",
    ],
}
LAST_NAMES = {
    "it": ["Russo", "Lo Piccolo", "Ferrara", "Messina", "Gallo", "Caruso", "Rizzo", "Marino", "Costa", "Greco"],
    "el": [
        "Παπαδόπουλος",
        "Νικολάου",
        "Γεωργίου",
        "Οικονόμου",
        "Δημητρίου",
        "Ιωάννου",
        "Αθανασίου",
        "Μακρής",
        "Καραγιάννη",
        "Πετρίδου",
    ],
    "de": ["Müller", "Schmidt", "Schneider", "Becker", "Wagner", "Hoffmann", "Koch", "Richter", "Klein", "Wolf"],
    "da": [
        "Nielsen",
        "Jensen",
        "Hansen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Larsen",
        "Sørensen",
        "Rasmussen",
        "Poulsen",
    ],
    "world": [
        "Haddad",
        "Rahman",
        "Osei",
        "Mensah",
        "Hassan",
        "Ahmadi",
        "Okafor",
        "Warsame",
        "Tesfaye",
        "Kovalenko",
        "Hoxha",
        "Beridze",
        "Yılmaz",
        "Santos",
        "Nouri",
        "Diallo",
        "Karimi",
        "Mahmoud",
        "Abebe",
        "Shevchenko",
    ],
}

#: What participants wrote in the feedback form (anonymous).
FEEDBACK_COMMENTS = [
    "Very practical: we will use the budget template in our next application.",
    "The examples from the other organisations helped me most.",
    "A bit too fast at the end, but the handouts are good.",
    "More time for questions, please.",
    "Great atmosphere, I met people I would never have met otherwise.",
    "The room was too small for the group work.",
    "Clear explanations, thank you!",
    "I would like a session on social media in our own language.",
]

#: The narrative sections of the sites' reports (Markdown), as trainers would write them.
NARRATIVES = {
    "context": (
        "The city's migrant associations are many and small: most run on volunteers and have never applied for "
        "public funding. The partner recruited through the **Intercultural City Committee** and local community "
        "leaders, so that half of the organisations are migrant or ethnic-minority associations."
    ),
    "what_worked": (
        "- Evening sessions after working hours, with childcare during the session\n"
        "- Pairings that met *between* the sessions and prepared a real workshop together\n"
        "- Interpreting into the two most spoken community languages"
    ),
    "lessons": (
        "Attendance drops when sessions collide with religious holidays and school holidays: plan the calendar "
        "with the committee before the course starts. Organisations with a single volunteer need a substitute who "
        "can attend when they cannot."
    ),
    "recommendations": (
        "1. Keep the pairings going after the programme, with a light follow-up by the partner.\n"
        "2. Offer the fundraising module early: it is what organisations need first.\n"
        "3. Publish the workshops in the [municipal events calendar](https://example.org/events)."
    ),
}

# --- the programme's texts in its other languages ---------------------------------------------
# The coordinator writes the programme's texts in English (its main language) and in the
# languages of the partner cities, so that certificates, pages and reports show them in each
# reader's language; what is not given here falls back to English.

PROGRAMME_NAME = {
    "it": "OEP 2026 — Città interculturali che imparano insieme",
    "el": "OEP 2026 — Διαπολιτισμικές πόλεις μαθαίνουν μαζί",
    "de": "OEP 2026 — Interkulturelle Städte lernen gemeinsam",
    "da": "OEP 2026 — Interkulturelle byer lærer sammen",
}
SIGNATORY_TITLE = {
    "it": "Coordinatrice del programma",
    "el": "Συντονίστρια του προγράμματος",
    "de": "Programmkoordinatorin",
    "da": "Programkoordinator",
}
MODULE_TITLES = {
    "Organisational development and good governance": {
        "it": "Sviluppo organizzativo e buona governance",
        "el": "Οργανωσιακή ανάπτυξη και χρηστή διακυβέρνηση",
        "de": "Organisationsentwicklung und gute Vereinsführung",
        "da": "Organisationsudvikling og god foreningsledelse",
    },
    "Project design and fundraising": {
        "it": "Progettazione e raccolta fondi",
        "el": "Σχεδιασμός έργων και άντληση πόρων",
        "de": "Projektplanung und Fundraising",
        "da": "Projektdesign og fundraising",
    },
    "Volunteer management": {
        "it": "Gestione dei volontari",
        "el": "Διαχείριση εθελοντών",
        "de": "Ehrenamtsmanagement",
        "da": "Frivilligledelse",
    },
    "Intercultural communication and mediation": {
        "it": "Comunicazione e mediazione interculturale",
        "el": "Διαπολιτισμική επικοινωνία και διαμεσολάβηση",
        "de": "Interkulturelle Kommunikation und Mediation",
        "da": "Interkulturel kommunikation og mægling",
    },
    "Communication and social media": {
        "it": "Comunicazione e social media",
        "el": "Επικοινωνία και μέσα κοινωνικής δικτύωσης",
        "de": "Öffentlichkeitsarbeit und soziale Medien",
        "da": "Kommunikation og sociale medier",
    },
    "Networking and advocacy with local authorities": {
        "it": "Reti e advocacy con le istituzioni locali",
        "el": "Δικτύωση και συνηγορία με την τοπική αυτοδιοίκηση",
        "de": "Vernetzung und Interessenvertretung gegenüber der Kommune",
        "da": "Netværk og påvirkning over for kommunen",
    },
    "Co-designing skill-transfer workshops": {
        "it": "Co-progettare i laboratori di trasferimento di competenze",
        "el": "Συσχεδιασμός εργαστηρίων μεταφοράς δεξιοτήτων",
        "de": "Workshops zum Kompetenztransfer gemeinsam gestalten",
        "da": "Fælles design af workshops om kompetenceoverførsel",
    },
    "Evaluation and measuring impact": {
        "it": "Valutazione e misurazione dell’impatto",
        "el": "Αξιολόγηση και μέτρηση του αντίκτυπου",
        "de": "Evaluation und Wirkungsmessung",
        "da": "Evaluering og måling af effekt",
    },
}
#: Each city as it is written in the programme's other languages.
CITY_NAMES = {
    "Palermo": {"el": "Παλέρμο", "ar": "باليرمو", "uk": "Палермо"},
    "Athens": {"it": "Atene", "el": "Αθήνα", "de": "Athen", "da": "Athen", "ar": "أثينا", "uk": "Афіни"},
    "Kassel": {"el": "Κάσελ", "ar": "كاسل", "uk": "Кассель"},
    "Aarhus": {"el": "Ώρχους", "ar": "آرهوس", "uk": "Орхус"},
    "Thessaloniki": {"it": "Salonicco", "el": "Θεσσαλονίκη", "ar": "سالونيك", "uk": "Салоніки"},
}
#: The public evening each site holds, in the programme's languages ({city} in each).
OPEN_EVENING_TITLE = {
    "en": "Open intercultural evening — {city}",
    "it": "Serata interculturale aperta — {city}",
    "el": "Ανοιχτή διαπολιτισμική βραδιά — {city}",
    "de": "Offener interkultureller Abend — {city}",
    "da": "Åben interkulturel aften — {city}",
}
OPEN_EVENING_DESCRIPTION = {
    "en": "Food, music and stories from the communities of the city. Everyone is welcome.",
    "it": "Cibo, musica e storie dalle comunità della città. Tutti sono benvenuti.",
    "el": "Φαγητό, μουσική και ιστορίες από τις κοινότητες της πόλης. Όλοι είναι ευπρόσδεκτοι.",
    "de": "Essen, Musik und Geschichten aus den Gemeinschaften der Stadt. Alle sind willkommen.",
    "da": "Mad, musik og fortællinger fra byens fællesskaber. Alle er velkomne.",
}
