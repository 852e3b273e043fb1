"""Names the `name` cases swap, by kind, so a person is replaced by a person and a country by a country.

Written by hand (no NER model is available here); `make_cases.name_pools` keeps those that occur in the
dataset, so every replacement is a name the corpus uses.
"""

FIRST_NAMES = frozenset("""
Aaron Adam Alan Alex Alexander Alexandria Alice Amy Andrew Angela Ann Anna Anthony Antony Barack Ben Bernie
Beto Bill Bob Boris Brad Brett Brian Bruce Carlos Catherine Charles Charlie Chris Christopher Chuck Cory
Dan Daniel David Deb Debbie Dennis Donald Doug Ed Elizabeth Elon Emily Emmanuel Eric Frank Gavin George
Greg Hillary Hunter Ilhan Ivanka Jack Jacinda James Jamie Jane Janet Jared Jason Jeff Jennifer Jeremy
Jerome Jerry Jessica Jill Jim Joe John Jon Jonathan Joseph Josh Justin Kamala Karen Kate Katie Kevin Kim
Kyle Lauren Laura Lindsey Lisa Liz Marco Maria Mark Martin Mary Matt Matthew Melania Michael Michelle Mike
Mitch Nancy Narendra Nick Nicola Olaf Pat Patrick Paul Pete Peter Rachel Rand Rebecca Richard Rick Rob
Robert Ron Rudy Ryan Sam Sarah Scott Sean Sergei Sergey Stephen Steve Steven Susan Ted Theresa Thomas Tim
Tom Tony Valerie Vladimir Volodymyr William Xi
""".split())

COUNTRIES = tuple("""
Afghanistan Argentina Australia Austria Belgium Brazil Canada Chile China Colombia Cuba Denmark Egypt
Ethiopia Finland France Germany Ghana Greece Haiti Hungary India Indonesia Iran Iraq Ireland Israel Italy
Japan Kenya Lebanon Libya Mali Mexico Morocco Nepal Nigeria Norway Pakistan Peru Poland Portugal
Russia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Thailand Turkey Uganda Ukraine Venezuela
Vietnam Yemen Zimbabwe
""".split())

STATES = tuple("""
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Hawaii Idaho
Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota
Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah
Vermont Virginia Wisconsin Wyoming
""".split())

CITIES = tuple("""
Atlanta Baltimore Beijing Berlin Boston Chicago Dallas Denver Detroit Houston Istanbul Kabul Kyiv London
Madrid Manila Melbourne Miami Minneapolis Moscow Mumbai Paris Philadelphia Phoenix Portland Rome Seattle
Sydney Tokyo Toronto Wellington
""".split())

# Kinds of organisation, each swapped only within itself.
AGENCIES = ("FBI", "CIA", "NATO", "NASA", "Pentagon")
COMPANIES = ("Apple", "Google", "Amazon", "Microsoft", "Facebook", "Twitter", "Tesla", "Netflix", "Disney",
             "Boeing", "Reuters")
PARTIES = ("Democrats", "Republicans")
