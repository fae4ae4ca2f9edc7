"""Word lists for the transcript anonymiser: common first names and surnames in Flanders and
Brussels, and Belgian municipalities (for postcodes written before a town in lower case).

Lists, not a model: they are short enough to read and to extend by hand. Names that are also
common Dutch words in lower case ("lies", "bos") only count in lower case next to a surname.
"""

from __future__ import annotations

FIRST_NAMES = frozenset(
    """
    Aaliyah Adam Aisha Alexander Ali Alice Amber Amelie Amina Anna Anne Annick Arne Arthur
    Axel Bart Bas Benjamin Bert Bram Brent Charlotte Chloë Chloe Dirk Dries Elena Elias
    Eline Elise Ella Ellen Emma Eva Evi Fatima Femke Finn Floor Frank Freya Geert Gert Hanne
    Hannah Hans Ilse Ines Jana Jan Jasper Jens Joke Jonas Jef Jeroen Joris Josse Jules Julie
    Kaat Karel Karim Katrien Kevin Koen Kristof Lars Laura Lena Leo Liam Lien Lies Lieve Lisa
    Lore Lotte Louis Lucas Luc Luna Maarten Marc Marie Marieke Mark Mathias Mats Matteo
    Mehmet Miet Mila Mohamed Nathalie Nina Noah Noor Olivia Patrick Pieter Piet Robbe Rik
    Rob Ruben Ruth Sam Sander Sara Sarah Senne Seppe Sofie Sophie Stef Stijn Thomas Tim Tine
    Tom Tuur Valerie Vic Wim Wout Wouter Yasmine Youssef Yusuf Zoë Zoe Kobe Lowie Warre
    Nora Fien Hamza Omar Ibrahim Ahmed Sven Bjorn Dieter Stefanie Veerle Greet Hilde
    Jelle Jolien Jarne Jente Jorne Jitse Jasmien Kato Ferre Mauro Milan Nand Nore Oona
    Emiel Mil Lou Lin Leon Lewis Victor Vince Viktor Xander Yana Zita Lotte Lucie Manon
    Margot Marthe Noa Olivier Phebe Febe Pieterjan Pj Quinten Rune Sien Siebe Simon Stan
    Tibo Tiebe Tijs Toon Tuur Wannes Wiebe Yentl Ilias Ayoub Bilal Mohammed Mustafa Nour
    Salma Sanne Silke Sofia Soufiane Yasmina Zakaria Aya Lina Mia Liv Elisa Evelien Kim
    Ann Annelies Bieke Bruno Carine Christine Danny Eddy Erik Filip Gerda Guido Hugo Ingrid
    Jo Johan Kris Kurt Linda Ludo Marijke Martine Nancy Peter Rita Rudi Sabine Sandra
    Steven Sven Tania Wendy Yves Ward Robin Laure Lore Astrid Babette Caro Dorien Elke
    Fleur Griet Heidi Inge Jutta Katleen Leen Mieke Nele Petra Roos Saar Tessa Valerie
    Dylan Kenzo Enzo Nathan Louise Camille Lucas Hugo Gabriel Raphaël Jules Léa Elodie
    """.split()
)
SURNAMES = frozenset(
    """
    Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois Lambert Dupont
    Martens Vermeulen Hermans Michiels Aerts Desmet Smets Pauwels Verhoeven Claessens Leclercq
    Lemmens Cools Stevens Coppens Verstraete Segers Vandenberghe Verbeke Declercq Hendrickx
    Wuyts Yilmaz Jansen Bogaert Dewulf Lauwers Mahieu Nys Geerts Baert Devos Vos Bosmans
    Vandamme Vanhoutte Vandenbroucke Vanderstraeten Vanderheyden Claeys Vervoort Wijns
    Verschueren Deprez Dumont Gielen Hendrikx Huybrechts Jorissen Kerckhofs
    Laenen Leemans Meeus Mestdagh Moens Noppe Oosterlinck Peelman Piessens Raes Roels
    Schepens Schoofs Sels Simons Stas Thys Timmermans Vandevelde Verheyen
    Verlinden Vermeiren Verstappen Vlaeminck Wyns Beckers Boeckx Buelens Celis Cuypers
    Daems Daneels Debruyne Decock Decoster Degroote Dehaene Delanghe Demeyer Deneve Denys
    Desmedt Devriendt Dhondt Dierckx Engelen Francken Geens Goris Govaerts Heylen Hermans
    Heyvaert Hoste Janssen Lenaerts Luyten Mattheus Minnaert Mortier Nijs Nuyts Pattyn
    Proost Renders Rombouts Saelens Servaes Smeets Sterckx Swinnen Tack Thijs Torfs
    Vaes Vandecasteele Vanderlinden Vanhecke Vanneste Vercammen Verhaegen Verhelst
    Verschuere Vertommen Wauters Wellens Willaert Geboers Mertes Dirckx Verbruggen
    Benali Bouzid Chahid Haddouchi Kaya Demir Celik Ozturk Aydin Nowak
    """.split()
)
MUNICIPALITIES = frozenset(
    """
    aalst aalter aarschot aartselaar affligem alken alveringem antwerpen anzegem ardooie
    arendonk as asse assenede avelgem baarle-hertog balen beernem beerse beersel begijnendijk
    bekkevoort beringen berlaar berlare bertem bever beveren bierbeek bilzen blankenberge
    bocholt boechout bonheiden boom boortmeerbeek bornem borsbeek bouwel brakel brasschaat
    brecht bredene bree brugge brussel buggenhout damme deerlijk deinze
    denderleeuw dendermonde dentergem dessel destelbergen diepenbeek diest diksmuide dilbeek
    dilsen-stokkem drogenbos duffel edegem eeklo eksaarde essen evergem galmaarden gavere
    geel geetbets genk gent geraardsbergen gingelom gistel glabbeek gooik grimbergen
    grobbendonk haacht haaltert halen halle ham hamme hamont-achel harelbeke hasselt
    hechtel-eksel heers heist-op-den-berg helchteren hemiksem herent herentals herenthout
    herk-de-stad herne herselt herstappe herzele heusden-zolder heuvelland hoegaarden
    hoeilaart hoeselt holsbeek hooglede hoogstraten horebeke houthalen-helchteren houthulst
    hove huldenberg hulshout ichtegem ieper ingelmunster izegem jabbeke kalmthout
    kampenhout kapelle-op-den-bos kapellen kaprijke kasterlee keerbergen kinrooi kluisbergen
    knokke-heist koekelare koksijde kontich kortemark kortenaken kortenberg kortessem
    kortrijk kraainem kruibeke kruisem kuurne laakdal laarne lanaken landen langemark-poelkapelle
    lebbeke lede ledegem lendelede lennik leopoldsburg leuven lichtervelde liedekerke lier
    lierde lille linkebeek lint linter lochristi lokeren lommel londerzeel lovendegem
    lubbeek lummen maarkedal maaseik maasmechelen machelen maldegem malle mechelen meerhout
    meise melle menen merchtem merelbeke merksplas mesen meulebeke middelkerke moerbeke
    mol moorslede mortsel nazareth neerpelt nevele niel nieuwerkerken nieuwpoort nijlen
    ninove olen oostende oosterzele oostkamp oostrozebeke opglabbeek opwijk oudenaarde
    oudenburg oud-heverlee oud-turnhout overijse pelt peer pittem poperinge putte puurs
    ranst ravels retie riemst rijkevorsel roeselare ronse roosdaal rotselaar ruiselede
    rumst schelle schilde schoten sint-amands sint-genesius-rode sint-gillis-waas
    sint-katelijne-waver sint-laureins sint-lievens-houtem sint-martens-latem sint-niklaas
    sint-pieters-leeuw sint-truiden spiere-helkijn stabroek staden steenokkerzeel stekene
    temse ternat tervuren tessenderlo tielt tielt-winge tienen tongeren torhout tremelo
    turnhout veurne vilvoorde vleteren voeren vorselaar vosselaar waarschoot waasmunster
    wachtebeke waregem wellen wemmel wervik westerlo wetteren wevelgem wezembeek-oppem
    wichelen wielsbeke wijnegem willebroek wingene wommelgem wortegem-petegem wuustwezel
    zandhoven zaventem zedelgem zele zelzate zemst zoersel zonhoven zonnebeke zottegem
    zoutleeuw zuienkerke zulte zutendaal zwalm zwevegem zwijndrecht anderlecht elsene
    etterbeek evere ganshoren jette koekelberg oudergem schaarbeek sint-agatha-berchem
    sint-gillis sint-jans-molenbeek molenbeek sint-joost-ten-node sint-lambrechts-woluwe
    sint-pieters-woluwe ukkel vorst watermaal-bosvoorde luik namen bergen charleroi
    doornik moeskroen waver nijvel aarlen bastenaken hoei verviers
    """.split()
)
