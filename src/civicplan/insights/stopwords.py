"""Stop words for residents' comments, English and Spanish: lowercase and accent-stripped, as `lib.text.normalize`
leaves a word (so "está" and "esta", "más" and "mas" are one entry). Written here, not downloaded: nothing
fetches data at run time.

Besides function words, both lists drop survey fillers ("please", "would like", "por favor", "necesitamos"):
they appear in comments about every theme and would only blur the themes apart. Words that carry a theme are
kept even when a generic list drops them (sklearn's English list has "bill", "fire", "empty" and "full":
water bills, fires, empty buses, full shelters).
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Theme-bearing words that sklearn's generic list would drop.
_ENGLISH_KEPT = frozenset({"bill", "fire", "empty", "full", "system", "call", "found"})

# Contractions lose their apostrophe in normalize ("don't" -> "don t"), and comments are full of fillers.
_ENGLISH_EXTRA = frozenset(
    """
    also really just think lot lots thing things want wants wanted need needs needed like would please thanks
    thank hello hi ok okay yes yeah im ive id dont doesnt didnt isnt arent wasnt werent cant couldnt wont
    wouldnt shouldnt don doesn didn isn aren wasn weren won shouldn ll ve make makes made getting got gets let
    lets good great bad better best way ways know say said does did doing going city town people us etc
    something anything maybe actually especially definitely probably kind sort stuff
    time times year years month months week weeks day days today ago new use used using bring
    """.split()
)

ENGLISH: frozenset[str] = (frozenset(ENGLISH_STOP_WORDS) - _ENGLISH_KEPT) | _ENGLISH_EXTRA

SPANISH: frozenset[str] = frozenset(
    """
    a al algo alguien algun alguna algunas alguno algunos alla alli ahi ambos ante antes aquel aquella aquellas
    aquello aquellos aqui asi aun aunque bajo bastante cada casi cierta ciertas cierto ciertos como con contra
    cual cuales cualquier cualquiera cuando cuanta cuantas cuanto cuantos de del demas desde donde dos durante
    e el ella ellas ello ellos en entonces entre era eramos eran eras eres es esa esas ese eso esos esta
    estaba estabamos estaban estado estados estamos estan estar estara estaran estaria estarian estas este
    esto estos estoy estuve estuvo etc fue fueron fui fuimos ha habia habian haber habra habria han has hasta
    hay haya hayan he hemos hace hacen hacer hacia hacemos haciendo hago hecho hicieron hizo hubo igual
    incluso la las le les lo los mas me mi mia mias mientras mio mios mis misma mismas mismo mismos mucha
    muchas mucho muchos muy nada nadie ni ningun ninguna ninguno no nos nosotras nosotros nuestra nuestras
    nuestro nuestros nunca o os otra otras otro otros para pero poca pocas poco pocos podemos poder podria
    podrian podrias puede pueden puedo pues por porque que quien quienes se sea sean segun ser sera seran
    seria serian si sido siempre siendo sin sino sobre sois solamente solo somos son soy su sus suya suyas
    suyo suyos tal tambien tampoco tan tanta tantas tanto tantos te tendra tendria tenemos tener tengo tenia
    tenian tiene tienen toda todas todavia todo todos tras tu tus tuya tuyo tuve tuvo u un una unas uno unos
    usted ustedes va vamos van varias varios vaya veces vez vosotros y ya yo
    favor gracias hola porfa porfavor pls ciudad gente cosa cosas algo mejor peor bien mal bueno buena malo
    mala necesita necesitan necesitamos necesito necesario necesaria quiero queremos quisiera quisieramos
    gustaria deberia deberian debe deben debemos tienen hagan haga pongan ponga sigue siguen creo pienso
    realmente verdad claro ojala ademas ahora luego despues tipo manera forma parte hacer dar dan
    ano anos mes meses semana semanas dia dias hoy tiempo ir usar uso nuevo nueva nuevos nuevas
    """.split()
)
