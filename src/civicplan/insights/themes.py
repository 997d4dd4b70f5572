"""Themes in residents' comments, English and Spanish: discovery of candidate themes in uncoded text, and a
classifier trained on staff-coded comments that suggests codebook themes for the rest.

Pure (scikit-learn, numpy and SciPy's sparse matrices, which scikit-learn itself is built on): no Django, no
database, nothing downloaded at run time. The caller brings texts, languages and staff labels, and stores
what comes back.

One model for both languages: a Spanish and an English comment about the same thing should land in the same
theme even when staff have coded examples in one language only. Three feature blocks see to that:

1. codebook keywords: one feature per theme that counts its keywords (both languages) in the text;
2. words through a small bilingual glossary (`GLOSSARY`): "bache" and "pothole" are the same word token;
3. character n-grams of the normalised text, for typos and cognates ("biblioteca"/"library" do not share
   them, "parque"/"park" and "policia"/"police" do).
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from civicplan.insights.stopwords import ENGLISH, SPANISH
from civicplan.lib.text import normalize

__all__ = [
    "GLOSSARY",
    "Candidate",
    "Evaluation",
    "Suggestion",
    "ThemeClassifier",
    "ThemeKeywords",
    "ThemeScore",
    "discover",
    "evaluate",
    "normalize",
    "score",
    "tokens",
]

_SPACED = r"\S+"  # texts reach the vectorizers already split into words, joined by spaces
_BOTH = ENGLISH | SPANISH
_STOP_WORDS = {"en": ENGLISH, "es": SPANISH}

# English concept -> its other forms (Spanish, regional variants, English synonyms and irregular plurals), as
# `normalize` leaves them. Regular plurals need no entry (`_singular` folds them before the look-up). Words with
# two civic meanings stay out: "centro" (downtown or a community centre), "tarde" (late or afternoon),
# "cuenta" (a bill or "darse cuenta"), "banco" (a bench or a bank).
# fmt: off
GLOSSARY: dict[str, tuple[str, ...]] = {
    # streets
    "street": ("calle", "calles", "callejon", "alley"),
    "road": ("carretera", "camino", "vialidad", "roads"),
    "avenue": ("avenida", "ave", "blvd", "boulevard", "bulevar"),
    "pothole": ("bache", "baches", "hoyo", "hoyos", "bachecito", "pot hole", "pot holes", "hole", "holes"),
    "sidewalk": ("banqueta", "acera", "vereda", "sidewalks", "pavement"),
    "asphalt": ("asfalto", "pavimento", "pavimentar", "repave", "repaving", "paving", "paved", "pave"),
    "repair": ("reparar", "reparacion", "reparaciones", "arreglar", "arreglo", "arreglen", "reparen", "fix",
               "fixed", "fixing", "repaired", "repairs", "compongan"),
    "crosswalk": ("crossing", "cruce", "crosswalks", "peatonal", "paso peatonal"),
    "traffic": ("trafico", "transito", "congestion", "embotellamiento"),
    "speed": ("velocidad", "speeding", "rapido", "tope", "topes", "reductor", "bump", "bumps"),
    "bike": ("bicicleta", "bici", "bicycle", "ciclovia", "cycling", "cyclist", "ciclista"),
    "lane": ("carril", "carriles", "lanes"),
    "parking": ("estacionamiento", "estacionar", "aparcamiento", "parked"),
    "car": ("carro", "coche", "auto", "vehiculo", "cars", "vehicle"),
    "pedestrian": ("peaton", "peatones", "walking", "walk", "caminar"),
    "wheelchair": ("silla de ruedas", "rampa", "rampas", "ramp", "ramps"),
    # transit
    "bus": ("autobus", "autobuses", "camion", "camiones", "buses", "busses", "micro", "colectivo"),
    "route": ("ruta", "rutas", "recorrido", "line", "linea", "routes"),
    "stop": ("parada", "paradero", "stops"),
    "schedule": ("horario", "horarios", "timetable", "itinerario"),
    "frequency": ("frecuencia", "frequent", "frecuente", "frequently"),
    "fare": ("pasaje", "boleto", "ticket", "fares", "bus pass"),
    "transit": ("transporte", "transportation", "transporte publico", "public transit"),
    "train": ("tren", "metro", "tranvia", "rail", "light rail"),
    "station": ("estacion", "terminal"),
    "shelter": ("refugio", "refugios", "albergue", "albergues", "shelters"),
    "driver": ("chofer", "conductor", "operador", "drivers"),
    "wait": ("esperar", "espera", "waiting", "waited", "espere", "esperando"),
    "delay": ("retraso", "retrasos", "demora", "atrasado", "late", "delayed"),
    # safety
    "police": ("policia", "policias", "patrulla", "patrullas", "patrullaje", "patrol", "cops", "cop",
               "officer"),
    "crime": ("crimen", "delito", "delitos", "delincuencia", "criminal", "crimes"),
    "robbery": ("robo", "robos", "asalto", "asaltos", "theft", "stolen", "robaron", "asaltaron", "break in",
                "break ins"),
    "light": ("luz", "luces", "lampara", "lamparas", "farola", "farolas", "lights", "streetlight",
              "streetlights", "lamp"),
    "lighting": ("alumbrado", "iluminacion", "iluminar", "iluminada", "lit"),
    "dark": ("oscuro", "oscura", "oscuridad", "oscuras", "darkness"),
    "safe": ("seguro", "segura", "seguros", "seguras", "safer", "unsafe", "inseguro", "insegura"),
    "safety": ("seguridad", "inseguridad", "security"),
    "drug": ("droga", "drogas", "drugs", "narcomenudeo"),
    "gang": ("pandilla", "pandillas", "pandilleros", "gangs"),
    "violence": ("violencia", "violent", "violento", "shooting", "balacera", "disparos", "shots"),
    "fear": ("miedo", "afraid", "scared", "scary", "peligro", "peligroso", "peligrosa", "dangerous",
             "danger"),
    "night": ("noche", "noches", "nights", "nocturno"),
    "camera": ("camara", "camaras", "cameras", "vigilancia", "surveillance"),
    "emergency": ("emergencia", "emergencias"),
    "fire": ("incendio", "incendios", "bombero", "bomberos", "firefighter", "firefighters"),
    # parks
    "park": ("parque", "parques", "parks"),
    "tree": ("arbol", "arboles", "trees", "arbolado", "arboleda"),
    "playground": ("juegos", "columpio", "columpios", "resbaladilla", "tobogan", "swing", "swings", "slide"),
    "green": ("verde", "verdes", "areas verdes", "greenery", "vegetacion"),
    "garden": ("jardin", "jardines", "huerto", "huertos", "gardens"),
    "grass": ("pasto", "cesped", "zacate", "lawn", "mowed", "mow", "podar", "poda"),
    "bench": ("banca", "bancas", "benches", "asientos"),
    "shade": ("sombra", "sombras", "shady"),
    "trail": ("sendero", "senderos", "trails", "pista", "path", "paths", "walking trail"),
    "field": ("cancha", "canchas", "campo", "fields", "court", "courts"),
    "sport": ("deporte", "deportes", "deportivo", "deportiva", "sports", "soccer", "futbol", "basketball",
              "basquetbol"),
    "trash": ("basura", "garbage", "litter", "basurero", "basureros", "botes", "bote", "bins", "bin"),
    "dog": ("perro", "perros", "dogs", "mascota", "mascotas", "pets", "pet"),
    "pool": ("alberca", "piscina", "albercas", "pools", "splash"),
    "bathroom": ("bano", "banos", "sanitario", "sanitarios", "restroom", "restrooms", "toilets"),
    "clean": ("limpio", "limpia", "limpieza", "limpiar", "sucio", "sucia", "dirty", "cleaning", "cleaned"),
    # housing
    "rent": ("renta", "rentas", "alquiler", "alquileres", "rents", "rental", "rentar"),
    "housing": ("vivienda", "viviendas"),
    "house": ("casa", "casas", "houses", "home", "homes", "hogar", "hogares"),
    "apartment": ("departamento", "departamentos", "apartamento", "apartamentos", "depa", "apt"),
    "affordable": ("asequible", "asequibles", "economica", "economicas", "economico", "barata", "barato",
                   "baratas", "cheaper", "afford"),
    "expensive": ("caro", "cara", "caros", "caras", "carisimo", "carisima", "costoso", "costosa", "pricey"),
    "price": ("precio", "precios", "prices", "cost", "costs", "costo", "costos"),
    "homeless": ("indigente", "indigentes", "homelessness", "unhoused", "indigencia"),
    "eviction": ("desalojo", "desalojos", "desahucio", "desahucios", "evicted", "evictions", "desalojaron"),
    "landlord": ("casero", "caseros", "arrendador", "arrendadores", "landlords"),
    "tenant": ("inquilino", "inquilinos", "tenants", "arrendatario", "renters", "renter"),
    "family": ("familia", "familias", "families"),
    "neighborhood": ("barrio", "barrios", "colonia", "colonias", "vecindario", "neighbourhood", "area"),
    "neighbor": ("vecino", "vecinos", "vecina", "vecinas", "neighbors", "neighbours"),
    "mortgage": ("hipoteca", "hipotecas", "credito", "loan", "loans"),
    # business
    "business": ("negocio", "negocios", "empresa", "empresas", "businesses", "emprendedor", "emprendedores",
                 "pyme", "pymes"),
    "shop": ("tienda", "tiendas", "comercio", "comercios", "shops", "store", "stores", "local", "locales"),
    "job": ("empleo", "empleos", "trabajo", "trabajos", "jobs", "employment", "chamba"),
    "downtown": ("centro historico", "city center", "town center"),
    "market": ("mercado", "mercados", "tianguis", "markets", "farmers market"),
    "tax": ("impuesto", "impuestos", "taxes", "predial"),
    "permit": ("permiso", "permisos", "licencia", "licencias", "permits", "license", "tramite", "tramites",
               "paperwork", "red tape"),
    "customer": ("cliente", "clientes", "customers", "consumidores", "foot traffic"),
    "restaurant": ("restaurante", "restaurantes", "restaurants", "cafe", "cafes", "cafeteria", "fonda"),
    "economy": ("economia", "economic", "desarrollo economico", "economic development"),
    "vendor": ("vendedor", "vendedores", "ambulante", "ambulantes", "vendors", "puesto", "puestos"),
    "training": ("capacitacion", "capacitaciones", "entrenamiento", "workforce"),
    "sale": ("venta", "ventas", "sales", "vender", "sell", "selling"),
    "owner": ("owners", "dueno", "duenos", "duena", "duenas", "propietario", "propietarios"),
    "closing": ("cerraron", "quiebra", "quebraron", "closures", "vacant", "vacio", "vacios", "storefront",
                "storefronts"),
    "wage": ("salario", "salarios", "sueldo", "sueldos", "wages"),
    # library and youth
    "library": ("biblioteca", "bibliotecas", "libraries", "librarian", "bibliotecaria", "bibliotecario"),
    "book": ("libro", "libros", "books", "lectura", "leer", "reading", "read"),
    "hour": ("hora", "horas", "hours", "open", "abierto", "abierta", "abrir", "abran", "abre", "opening"),
    "weekend": ("fines de semana", "fin de semana", "weekends", "sabado", "sabados", "domingo", "domingos",
                "saturday", "saturdays", "sunday", "sundays"),
    "youth": ("juventud", "jovenes", "joven", "young", "teen", "teens", "teenagers", "adolescente",
              "adolescentes", "chavos", "muchachos"),
    "kid": ("nino", "ninos", "nina", "ninas", "kids", "children", "child", "chamacos", "hijos", "hijas",
            "infantil", "infantiles"),
    "program": ("programa", "programas", "programs", "programming"),
    "class": ("clase", "clases", "taller", "talleres", "workshop", "workshops", "classes", "curso", "cursos"),
    "school": ("escuela", "escuelas", "schools", "colegio", "prepa", "secundaria", "primaria"),
    "student": ("estudiante", "estudiantes", "alumno", "alumnos", "students"),
    "homework": ("tarea", "tareas", "tutoring", "tutoria", "tutorias", "asesoria"),
    "computer": ("computadora", "computadoras", "compu", "computers", "laptop", "laptops", "wifi",
                 "internet"),
    "summer": ("verano", "vacaciones", "summers"),
    "activity": ("actividad", "actividades", "activities"),
    "art": ("arte", "artes", "music", "musica", "pintura", "teatro", "theater", "theatre", "danza", "dance"),
    "center": ("community center", "centro comunitario", "rec center", "recreation", "recreativo",
               "casa de la cultura"),
    # water
    "water": ("agua", "aguas", "waters"),
    "bill": ("recibo", "recibos", "factura", "facturas", "bills", "billing", "cobro", "cobros", "charge",
             "charged", "cobran", "cobraron"),
    "drainage": ("drenaje", "drenajes", "desague", "desagues", "drain", "drains", "storm drain"),
    "flood": ("inundacion", "inundaciones", "inunda", "inundan", "inundado", "inundada", "inundados",
              "inundar", "inundo", "floods", "flooding", "flooded"),
    "rain": ("lluvia", "lluvias", "llueve", "llover", "rains", "raining", "rainy", "storm", "storms",
             "tormenta", "tormentas", "aguacero"),
    "pipe": ("tuberia", "tuberias", "tubo", "tubos", "cano", "canos", "pipes", "plumbing", "water main",
             "mains"),
    "leak": ("fuga", "fugas", "leaks", "leaking", "leaky", "gotea", "goteando"),
    "pressure": ("presion", "pressures"),
    "sewer": ("alcantarilla", "alcantarillas", "alcantarillado", "cloaca", "coladera", "coladeras",
              "sewers", "sewage", "aguas negras", "gutter", "gutters"),
    "meter": ("medidor", "medidores", "meters", "contador"),
    "puddle": ("charco", "charcos", "encharca", "encharcada", "encharcado", "puddles", "lodo", "mud"),
    "drinking": ("potable", "beber", "drink", "tap"),
    "smell": ("olor", "olores", "smells", "turbia", "turbio", "apesta", "stinks"),
}
# fmt: on


def _stop_words(language: str | None) -> frozenset[str]:
    # "es-MX", "en_US" and "EN" count as their base language; anything else gets both lists.
    return _STOP_WORDS.get((language or "")[:2].lower(), _BOTH)


def tokens(text: str, language: str) -> list[str]:
    """The normalised words of `text` minus that language's stop words, one-letter words and bare numbers."""
    stop = _stop_words(language)
    return [
        word for word in normalize(text).split() if len(word) > 1 and word not in stop and not word.isdigit()
    ]


def _singular(word: str) -> str:
    """A crude plural fold, the same for both languages: enough to make "baches" meet "bache" and "parks"
    meet "park". Only ever compared with itself, so its odd stems ("arbole") do no harm."""
    if len(word) <= 3:
        return word
    if word.endswith("ones"):  # reparaciones -> reparacion
        return word[:-2]
    if word.endswith("ces"):  # luces -> luz, veces -> vez
        return word[:-3] + "z"
    if word.endswith(("ss", "us", "is")):  # address, bus, crisis
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def _glossary_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for concept, forms in GLOSSARY.items():
        for form in (concept, *forms):
            # Multiword forms ("fin de semana") are for keywords and phrases; single words for the look-up.
            if " " not in form:
                lookup.setdefault(form, concept)
    return lookup


_LOOKUP = _glossary_lookup()
# Multiword glossary forms, longest first, replaced in the normalised text before it is split into words.
_PHRASES = sorted(
    ((form, concept) for concept, forms in GLOSSARY.items() for form in forms if " " in form),
    key=lambda pair: -len(pair[0]),
)


def _concept(word: str) -> str:
    """The shared (English) concept of a word in either language, or the word's singular when it has none."""
    found = _LOOKUP.get(word)
    if found is not None:
        return found
    singular = _singular(word)
    return _LOOKUP.get(singular, singular)


def _concepts(text: str, language: str | None, *, keep_stop_words: bool = False) -> list[str]:
    """The text as shared concepts: glossary phrases first ("fin de semana" -> "weekend"), then word by word."""
    normalised = normalize(text)
    if " " in normalised:
        padded = f" {normalised} "
        for phrase, concept in _PHRASES:
            if f" {phrase} " in padded:
                padded = padded.replace(f" {phrase} ", f" {concept} ")
        normalised = padded.strip()
    stop = frozenset() if keep_stop_words else _stop_words(language)
    return [
        _concept(word)
        for word in normalised.split()
        if len(word) > 1 and word not in stop and not word.isdigit()
    ]


# ---------------------------------------------------------------------------------------------------------------
# Discovery


@dataclass(frozen=True)
class Candidate:
    """A candidate theme found in uncoded text, for staff to name (or not) and add to the codebook."""

    words: tuple[str, ...]
    examples: tuple[int, ...]
    size: int
    language: str


_MIN_DISCOVERY_TEXTS = 10


def _default_theme_count(n_texts: int) -> int:
    # About one candidate per 4*k^2 comments: 4 for 60, 6 for 150, 12 (the most staff can read) from 600.
    return max(2, min(12, round(math.sqrt(n_texts / 4))))


def _discovery_documents(texts: Sequence[str], language: str) -> tuple[list[int], list[str], dict[str, str]]:
    """Texts with at least one word, their words folded to singular, and the commonest spelling of each fold
    (what a candidate shows: "parques", not "parque" if residents mostly wrote the plural)."""
    positions: list[int] = []
    documents: list[str] = []
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for position, text in enumerate(texts):
        words = tokens(text, language)
        if not words:
            continue
        folded = []
        for word in words:
            key = _singular(word)
            spellings[key][word] += 1
            folded.append(key)
        positions.append(position)
        documents.append(" ".join(folded))
    shown = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    return positions, documents, shown


def discover(
    texts: Sequence[str],
    language: str,
    *,
    n_themes: int | None = None,
    top_words: int = 8,
    examples: int = 3,
    random_state: int = 0,
) -> list[Candidate]:
    """Candidate themes in one language's texts (TF-IDF of words and word pairs, then NMF), largest first."""
    positions, documents, shown = _discovery_documents(texts, language)
    if len(documents) < _MIN_DISCOVERY_TEXTS:
        return []
    vectorizer = TfidfVectorizer(
        token_pattern=_SPACED,
        lowercase=False,
        ngram_range=(1, 2),
        # A word pair seen once says nothing about a theme; on small inputs every word has to count.
        min_df=2 if len(documents) >= 50 else 1,
        max_df=0.5,
        max_features=20_000,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:  # nothing left after min_df/max_df
        return []
    names = vectorizer.get_feature_names_out()
    count = min(n_themes or _default_theme_count(len(documents)), len(documents) - 1, len(names))
    if count < 1:
        return []
    # nndsvda: deterministic start (random_state only breaks ties), and no zero rows left behind as nndsvd does.
    model = NMF(n_components=count, init="nndsvda", random_state=random_state, max_iter=400)
    with np.errstate(invalid="ignore", divide="ignore"):  # tiny corpora: sklearn's loss takes sqrt of ~-0
        weights = model.fit_transform(matrix)
    strongest = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    candidates = []
    for component in range(count):
        members = np.flatnonzero(strongest == component)
        if members.size == 0:
            continue
        order = np.argsort(-model.components_[component], kind="stable")[:top_words]
        words = tuple(
            " ".join(shown.get(part, part) for part in names[i].split())
            for i in order
            if model.components_[component, i] > 0
        )
        typical = members[np.argsort(-weights[members, component], kind="stable")][:examples]
        candidates.append(
            Candidate(
                words=words,
                examples=tuple(positions[i] for i in typical),
                size=int(members.size),
                language=language,
            )
        )
    return sorted(candidates, key=lambda candidate: -candidate.size)


# ---------------------------------------------------------------------------------------------------------------
# Classification


@dataclass(frozen=True)
class ThemeKeywords:
    """A codebook theme's keywords, both languages together, as staff typed them (multiword allowed)."""

    code: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: float


class _KeywordCounter:
    """One feature per theme: how often its keywords occur in a text, in whichever language. Keywords go
    through the glossary like the text, so "calles" typed by staff also finds "streets" in a comment.

    Phrases are matched without their stop words ("recibo del agua" finds "recibo de agua"), except those a
    stop word list would cut to one word: "after school" must not become "school"."""

    def __init__(self, keywords: Sequence[ThemeKeywords], codes: Sequence[str]) -> None:
        column = {code: index for index, code in enumerate(codes)}
        self.width = len(codes)
        self.single: dict[str, set[int]] = defaultdict(set)
        self.phrases: list[tuple[str, int]] = []
        self.whole_phrases: list[tuple[str, int]] = []  # matched with the stop words left in
        for theme in keywords:
            if theme.code not in column:
                continue
            for keyword in theme.keywords:
                concepts = _concepts(keyword, None)
                whole = _concepts(keyword, None, keep_stop_words=True)
                if len(whole) > 1 and len(concepts) <= 1:
                    self.whole_phrases.append((f" {' '.join(whole)} ", column[theme.code]))
                elif len(concepts) == 1:
                    self.single[concepts[0]].add(column[theme.code])
                elif concepts:
                    self.phrases.append((f" {' '.join(concepts)} ", column[theme.code]))

    def transform(self, documents: _Documents) -> Any:
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for row, words in enumerate(documents.concepts):
            counts: Counter[int] = Counter()
            for word in words:
                for index in self.single.get(word, ()):
                    counts[index] += 1
            if self.phrases:
                padded = f" {' '.join(words)} "
                for phrase, index in self.phrases:
                    counts[index] += padded.count(phrase)
            if self.whole_phrases:
                padded = f" {' '.join(_concepts(documents.normalised[row], None, keep_stop_words=True))} "
                for phrase, index in self.whole_phrases:
                    counts[index] += padded.count(phrase)
            for index, count in counts.items():
                if count:
                    rows.append(row)
                    columns.append(index)
                    values.append(1.0 + math.log(count))  # the first mention says most
        return sp.csr_matrix(
            (values, (rows, columns)), shape=(len(documents.concepts), self.width), dtype=np.float32
        )


# Block weights, measured on the fixture and the benchmark: keywords and glossary words decide, characters
# catch typos. Each block's rows are L2-normalised (the keyword block is a log count).
_KEYWORD_WEIGHT = 1.0
_WORD_WEIGHT = 1.0
_CHAR_WEIGHT = 0.5
_MIN_EXAMPLES = 2
_C = 10.0  # light regularisation: few features fire per comment, and most of them mean something


class ThemeClassifier:
    """Suggests codebook themes for comments in either language, with a probability (one-vs-rest logistic
    regressions, class weights balanced so that a theme with few coded comments still gets suggested)."""

    codes: tuple[str, ...]

    def __init__(
        self,
        codes: tuple[str, ...],
        keywords: _KeywordCounter,
        words: TfidfVectorizer,
        chars: TfidfVectorizer,
        model: OneVsRestClassifier,
    ) -> None:
        self.codes = codes
        self._keywords = keywords
        self._words = words
        self._chars = chars
        self._model = model

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[Collection[str]],
        *,
        languages: Sequence[str] | None = None,
        keywords: Sequence[ThemeKeywords] = (),
    ) -> ThemeClassifier:
        """Train on staff-coded comments. Themes with fewer than two coded comments are left out (`codes`
        says which were kept); comments without a kept theme still teach what each theme is not."""
        if len(labels) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(labels)} label sets")
        given = [_label_set(codes) for codes in labels]
        counts = Counter(code for codes in given for code in codes)
        codes = tuple(sorted(code for code, count in counts.items() if count >= _MIN_EXAMPLES))
        if len(codes) < 2:
            raise ValueError(
                "At least two themes need two or more coded comments each before suggestions can be trained "
                f"(found {len(codes)}: {', '.join(codes) or 'none'})."
            )
        documents = _prepare(texts, languages)
        words = TfidfVectorizer(
            token_pattern=_SPACED,
            lowercase=False,
            ngram_range=(1, 2),
            max_features=50_000,
            sublinear_tf=True,
            dtype=np.float32,
        )
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            lowercase=False,
            min_df=2,
            max_features=80_000,
            sublinear_tf=True,
            dtype=np.float32,
        )
        counter = _KeywordCounter(keywords, codes)
        features = sp.hstack(
            [
                counter.transform(documents) * _KEYWORD_WEIGHT,
                words.fit_transform(documents.joined) * _WORD_WEIGHT,
                chars.fit_transform(documents.normalised) * _CHAR_WEIGHT,
            ],
            format="csr",
        )
        binarizer = MultiLabelBinarizer(classes=codes)
        targets = binarizer.fit_transform([sorted(codes_ & set(codes)) for codes_ in given])
        # liblinear: fast on sparse text features of this size, deterministic for a random_state.
        estimator = LogisticRegression(solver="liblinear", C=_C, class_weight="balanced", random_state=0)
        model = OneVsRestClassifier(estimator).fit(features, targets)
        return cls(codes, counter, words, chars, model)

    def probabilities(self, texts: Sequence[str], *, languages: Sequence[str] | None = None) -> Any:
        """Each text's probability of each theme in `codes`, as an (n_texts, n_codes) array."""
        if not texts:
            return np.zeros((0, len(self.codes)))
        documents = _prepare(texts, languages)
        features = sp.hstack(
            [
                self._keywords.transform(documents) * _KEYWORD_WEIGHT,
                self._words.transform(documents.joined) * _WORD_WEIGHT,
                self._chars.transform(documents.normalised) * _CHAR_WEIGHT,
            ],
            format="csr",
        )
        return self._model.predict_proba(features)

    def suggest(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        limit: int = 3,
        threshold: float = 0.3,
    ) -> list[list[Suggestion]]:
        """Per text, its themes best first: at most `limit`, each with a probability >= `threshold`."""
        probabilities = self.probabilities(texts, languages=languages)
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, : max(limit, 0)]
        return [
            [Suggestion(self.codes[index], float(row[index])) for index in ranked if row[index] >= threshold]
            for row, ranked in zip(probabilities, order, strict=True)
        ]


@dataclass(frozen=True)
class _Documents:
    normalised: list[str]
    concepts: list[list[str]]
    joined: list[str]


def _prepare(texts: Sequence[str], languages: Sequence[str] | None) -> _Documents:
    if languages is not None and len(languages) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    normalised = [normalize(text) for text in texts]
    # _concepts normalises again: on ASCII text that is one isascii() and a regex, cheap.
    concepts = [
        _concepts(text, languages[i] if languages is not None else None) for i, text in enumerate(normalised)
    ]
    return _Documents(normalised, concepts, [" ".join(words) for words in concepts])


# ---------------------------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class ThemeScore:
    code: str
    precision: float
    recall: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    per_theme: tuple[ThemeScore, ...]
    micro_precision: float
    micro_recall: float
    n_train: int
    n_test: int


def score(
    suggested: Sequence[Iterable[Suggestion]],
    labels: Sequence[Collection[str]],
    *,
    codes: Iterable[str] = (),
    n_train: int = 0,
) -> Evaluation:
    """Suggestions compared with staff labels. Every theme in the labels or in `codes` gets a row; a theme the
    model never suggests has precision 0 (not "undefined": staff should read it as "no help here")."""
    if len(suggested) != len(labels):
        raise ValueError(f"{len(suggested)} suggestion lists but {len(labels)} label sets")
    hits: Counter[str] = Counter()
    made: Counter[str] = Counter()
    support: Counter[str] = Counter()
    for suggestions, truth in zip(suggested, labels, strict=True):
        predicted = {suggestion.code for suggestion in suggestions}
        actual = _label_set(truth)
        made.update(predicted)
        support.update(actual)
        hits.update(predicted & actual)
    themes = sorted(set(codes) | set(support) | set(made))
    per_theme = tuple(
        ThemeScore(code, _ratio(hits[code], made[code]), _ratio(hits[code], support[code]), support[code])
        for code in themes
    )
    return Evaluation(
        per_theme=per_theme,
        micro_precision=_ratio(sum(hits.values()), sum(made.values())),
        micro_recall=_ratio(sum(hits.values()), sum(support.values())),
        n_train=n_train,
        n_test=len(labels),
    )


def _label_set(codes: Collection[str]) -> set[str]:
    # A lone code passed as a string is one label, not a set of letters.
    return {codes} if isinstance(codes, str) else set(codes)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _first_label(codes: Collection[str]) -> str:
    # A list keeps the order staff gave; a set has none, so its smallest code stands in.
    if isinstance(codes, str):
        return codes
    if isinstance(codes, Sequence):
        return codes[0] if codes else ""
    return min(codes, default="")


def _split(
    labels: Sequence[Collection[str]], holdout: float, random_state: int
) -> tuple[list[int], list[int]]:
    """Held-back indices drawn per first label, so each theme is in both parts (one of a kind stays in training)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, codes in enumerate(labels):
        groups[_first_label(codes)].append(index)
    rng = random.Random(random_state)
    test: list[int] = []
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        if len(members) >= 2:
            test += members[: max(1, round(holdout * len(members)))]
    held = set(test)
    return [index for index in range(len(labels)) if index not in held], sorted(test)


def evaluate(
    texts: Sequence[str],
    labels: Sequence[Collection[str]],
    *,
    languages: Sequence[str] | None = None,
    keywords: Sequence[ThemeKeywords] = (),
    holdout: float = 0.25,
    random_state: int = 0,
    threshold: float = 0.3,
    limit: int = 3,
) -> Evaluation:
    """How far to trust the suggestions: train on most of the coded comments, suggest for the held-back rest,
    compare with what staff coded. Deterministic for a random_state."""
    if not 0 < holdout < 1:
        raise ValueError(f"holdout must be between 0 and 1, not {holdout}")
    if languages is not None and len(languages) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    train, test = _split(labels, holdout, random_state)
    classifier = ThemeClassifier.train(
        [texts[i] for i in train],
        [labels[i] for i in train],
        languages=[languages[i] for i in train] if languages is not None else None,
        keywords=keywords,
    )
    suggested = classifier.suggest(
        [texts[i] for i in test],
        languages=[languages[i] for i in test] if languages is not None else None,
        limit=limit,
        threshold=threshold,
    )
    return score(suggested, [labels[i] for i in test], codes=classifier.codes, n_train=len(train))
