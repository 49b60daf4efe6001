// A broader general vocabulary for the prose grammar, so generated text has the lexical
// variety (and therefore the compressibility) of natural language rather than of a small word list.

extension Lexicon {
    static let extraNouns = """
        ability|absence|academy|accent|accident|accommodation|accountant|achievement|acquisition|activity|actor|
        addition|address book|adjustment|administration|admission|adoption|adult|advantage|adventure|advertising|
        advice|advisor|affair|afternoon|agency|agenda item|agent|aggregate|aircraft|airline|airport|alarm|album|
        alignment|alliance|allocation|alternative|ambassador|ambition|amendment|amount|analogy|analyst|anchor|
        angle|anniversary|answer|anxiety|apartment|appeal|appetite|appliance|applicant|appraisal|approach|
        arrangement|arrival|article|artist|aspect|assembly|assistant|association|atmosphere|attendee|attention|
        attitude|attorney|attraction|auction|authorization|autumn|avenue|award|awareness|background|badge holder|
        baggage|bakery|bank|banner|bargain|barrier|basement|basket|battery|battle|beach|bearing|bedroom|beginning|
        behaviour|belief|beneficiary|bicycle|bidder|biography|birthday|blanket|blog|blueprint|boat|bookkeeper|
        bookshelf|border|bottle|bottleneck|bracket|brain|branch office|breakfast|breakthrough|bridge|brochure|
        broker|brother|buffer|builder|building|bulletin|bureau|business|butter|buyer|cabinet|cable|cafeteria|
        calendar invite|camera|candle|canvas|capability|capital|caption|carbon|cargo|carpet|carrier|cartoon|
        cashier|castle|catalogue|ceiling|celebration|cellar|census|ceremony|chair|chairman|champion|chancellor|
        chapter|character|charity|chart legend|cheese|chemical|chemistry|chicken|childhood|chocolate|choice|
        church|cinema|circle|circuit|citizen|city hall|classroom|clerk|climate|clinic|clock|closet|cloud|coach|
        coast|coffee|coin|colleague|college|colour|column header|comedy|comfort|command|comment|commerce|
        communication|companion|competition|competitor|complexity|composition|compound|computer|concept|concern|
        concert|conclusion|concrete|conductor|confidence|configuration|consensus|consequence|consideration|
        constraint|construction|consumer|container ship|content|contest|continent|contractor fee|contrast|
        control|convenience|convention|cookie|cooperation|copyright|corner|corporation|corridor|costume|cottage|
        cotton|counsellor|country road|county|couple|courage|course|courier|court|cousin|craft|creature|crew|
        crime|crisis|critic|crowd|crown|culture|cupboard|curiosity|curriculum|curtain|cushion|custody|customs|
        dairy|damage|dancer|danger|darkness|database row|daughter|daylight|dealer|debate|debt|decade|declaration|
        decline|decoration|degree|delegate|democracy|density|dentist|departure|deposit box|depth|deputy|desert|
        desk|dessert|detective|development|diamond|diary|dictionary|diet|dinner|diploma|disaster|discipline|
        discount code|discovery|disease|dish|display|distance|district|doctor|dog|dollar|donation|donor|door|
        dozen|drama|drawer|drawing|dream|dress|drink|drone|dust|economy|editor|education|efficiency|egg|elbow|
        electricity|elevator|embassy|emergency|emotion|emphasis|empire|encounter|encouragement|enemy|energy|
        engagement|engineer|enthusiasm|entrance|envelope|episode|equipment|equity|era|essay|estate|ethics|
        evening|exhibition|existence|exit|expedition|expenditure|explanation|explosion|expression|fabric|face|
        factory|faculty|fairness|faith|family|farm|farmer|fashion|fault|favour|fear|feast|feather|feature request|
        federation|festival|fiction|finance|finger|fire|fireplace|fish|fitness|flag|flight|floor|flower|fog|
        folder structure|folk|food|football|footprint|forest|fortune|forum|foundation|fountain|fraction|fragment|
        freedom|friend|friendship|fruit|fuel|furniture|future|galaxy|gallery|game|garage|garden|garlic|gate|
        generation|genre|gesture|ghost|gift|glass|glove|government|graduate|grain|grandfather|grandmother|grass|
        gravity|grocery|ground|growth|guardian|guest|guidance|guide|guitar|habit|hair|hall|hallway|hammer|hand|
        handbook|handle|happiness|harbour|harmony|harvest|headquarters|health|heart|heat|height|helicopter|
        heritage|hero|highway|hill|history|hobby|hole|home|honey|honour|hope|horizon|horse|hospital|hotel|hour|
        house|household|housing|humour|hunger|husband|ice|idea|illness|illustration|image|imagination|immigrant|
        import duty|impression|incident report|inclusion|independence|industry|infant|inflation|influence|
        infrastructure|ingredient|inhabitant|injury|ink|inn|innovation|inquiry form|insect|inspector|inspiration|
        institution|instrument|integrity|intelligence|intention|interest|interior|internet|interpretation|
        interval|introduction|invention|inventor|investor|invitation|iron|island|jacket|jazz|jewel|joke|
        journalist|joy|judge|juice|jungle|jury|justice|kettle|keyboard|kid|kingdom|kitchen|knee|knife|knowledge|
        laboratory|ladder|lady|lake|lamp|landlord|landscape|language|laptop bag|laughter|lawn|lawyer|leadership|
        leaf|league|lecture|legacy|legend|leisure|lemon|library|licence|lid|lifestyle|lift|lightning|limitation|
        line manager|lion|liquid|literature|litigation|lobby|lobster|locker|logic|loyalty|luggage|lunch|luxury|
        magazine|magnet|mail|majority|makeup|mall|mammal|management|map legend|marble|marketing|marriage|mask|
        mass|master|match|material|mathematics|matter|mayor|meal|meaning|measurement|meat|media|medicine|melody|
        membership|memory|mention|menu|merchant|mercy|merger|mess|metal|microphone|midnight|migration|military|
        milk|mind|mineral|minister|minority|mirror|mixture|mobile phone|moisture|money|monitor|monkey|month|
        monument|mood|moon|morning|mortgage|mother|motivation|motor|mountain|mouse|mouth|movement|movie|mud|
        muscle|museum|mushroom|music|musician|mystery|myth|narrative|nation|nature|neck|negotiation|neighbour|
        neighbourhood|nephew|nerve|nest|newspaper|niece|night|noise|nomination|nonsense|noon|north|nose|notebook|
        novel|nurse|nut|oak|object|observation|occasion|occupation|ocean|odds|official|oil|opening|opera|opinion|
        opponent|opportunity|opposition|orange|orchestra|organisation|origin|outfit|oven|oxygen|pace|pain|paint|
        painting|palace|pan|paper|parade|paragraph|parent|park|parking|parliament|participant|particle|passage|
        passenger|passion|password manager|past|pasta|path|patience|patient|patrol|payment plan|peace|peanut|pen|
        pencil|pension|people|pepper|perception|permit|person|personality|perspective|phenomenon|philosophy|
        photo|photographer|phrase|physician|piano|picture|pie|piece|pig|pillow|pilot program|pipe|pitch|pizza|
        planet|plant|plastic|plate|platform team|pleasure|pocket|poem|poet|poetry|poison|police|politics|poll|
        pollution|pond|pool|population|porch|port|portfolio|portion|portrait|possession|possibility|postcard|
        poster|pot|potato|pottery|poverty|powder|power|prayer|precision|prediction|preference|pregnancy|
        preparation|presence|preservation|president|press|pressure|prevention|pride|priest|prince|princess|
        principle|print run|prison|prisoner|privacy|privilege|prize|probability|problem|profession|professor|
        profit|prominence|promise|proof|prophet|proportion|proposition|prosecutor|prospect|protection|protein|
        protest|psychology|pub|publication|publicity|publisher|pudding|pump|pupil|puzzle|pyramid|quantity|
        quarter report|queen|quest|quiz|quote request|rabbit|race|radio|rail|rain|rainbow|range|reader|reality|
        receipt printer|reception|recipe|recognition|recording|recruit|reflection|reform|refrigerator|refugee|
        region lead|regret|rehearsal|relative|relief|religion|reluctance|remark|reminder email|reporter|
        republic|reputation|rescue|research|researcher|resident|resignation|resistance|respect|restaurant|
        restriction|retirement|revenue share|revolution|rhythm|rice|ride|rifle|ring|river|road|robot|rock|
        rocket|romance|roof|room|root|rope|rose|round|routine|row|royalty|rubber|rug|rumour|runner|sadness|
        safety|sail|sailor|salad|sale|salt|sand|sandwich|satellite|satisfaction|sauce|saving|scale|scandal|
        scholar|scholarship|school|science|scientist|scissors|sculpture|sea|season|seat belt|second|secretary|
        sector|security|seed|seminar|senate|senator|sensation|sense|sentence|sentiment|series|servant|session|
        settlement|shadow|shame|shape|shareholder|sheep|sheet|shelf|shell|shelter|shield|ship|shirt|shock|shoe|
        shop|shore|shortage|shoulder|show|shower|sibling|sight|sign|silence|silk|silver|singer|sink|sister|
        situation|size|sketch|skin|sky|sleep|slice|slope|smell|smile|smoke|snake|snow|soap|soccer|society|
        sock|sofa|software|soil|soldier|song|soul|sound|soup|south|space|speaker|specialist|species|speech|
        speed|spelling|sphere|spider|spirit|sponsorship|spoon|sport|spot|spouse|spring|square|stability|stadium|
        staff|stair|stake|standard|star|start date|statue|steak|steel|stick|stock|stomach|stone|storm|story arc|
        stove|stranger|strategy deck|straw|street|strength|stress|strike|string|student|studio|style|subject|
        substance|suburb|subway|sugar|suit|summer|summit|sun|sunset|supermarket|supervisor|surface|surgeon|
        surgery|surprise|surrounding|survival|survivor|suspect|sweater|swimming|symbol|sympathy|symptom|
        syndrome|table tennis|tablet|tactic|tail|talent|tank|tape|taste|taxi|tea|teacher|teaching|teammate|
        tear|technology|teenager|telephone|television|temperature|temple|tendency|tennis|tension|tent|terminal|
        territory manager|terror|textbook|texture|theatre|theft|theme|theory|therapy|thesis|thing|thought|
        thread|threat|throat|thumb|thunder|ticket desk|tide|tiger|timber|tobacco|toe|toilet|tomato|tongue|tool|
        tooth|topic|tourism|tourist|tournament|towel|tower|town|toy|tractor|tradition|traffic|tragedy|trail|
        train|trainer|transport|trap|treasure|treasury|treaty|tree|tribe|tribunal|trick|trip|trophy|trouble|
        truck|trust|truth|tube|tune|tunnel|tutor|twin|umbrella|uncle|understanding|uniform|union|unit|universe|
        university|vacation|vacuum|valley|van|variation|variety|vegetable|vehicle|verdict|vessel|veteran|
        victim|victory|village|violence|violin|virtue|virus|vision|vitamin|voice|volunteer|vote|voter|voyage|
        wage|wagon|waiter|walk|wall|wallet|war|wardrobe|water|wave|wealth|weapon|weather|wedding|weekend|weight|
        welfare|west|wheat|wheel|whisky|widow|width|wife|wildlife|wind|wine|wing|winner|winter|wire|wisdom|
        witness|wolf|woman|wonder|wood|wool|word|worker|workplace|world|worry|writer|writing|yard|year|yield|
        youth|zoo
        """

    static let extraAdjectives = """
        absent|absolute|abstract|abundant|academic|acceptable|accessible|acidic|acoustic|adjacent|administrative|
        adorable|advanced|adventurous|aesthetic|affectionate|afraid|agricultural|alert|alive|alternative|amazing|
        ambitious|ample|amused|ancient|angry|anxious|apparent|arbitrary|architectural|arctic|artificial|artistic|
        ashamed|asleep|astonishing|athletic|atomic|attractive|authentic|autonomous|awful|awkward|bald|bare|
        beautiful|beloved|beneficial|bitter|bizarre|blank|blind|blond|bold|bored|boring|brave|brief|bright|
        brilliant|broad|brutal|busy|calm|capable|careless|casual|catholic|cautionary|celebrated|ceramic|certain|
        charming|cheerful|chemical|chief|chronic|circular|civic|civil|classic|classical|clever|climatic|close|
        coastal|cognitive|coherent|cold|collective|colonial|colourful|comfortable|commercial|compact|
        compulsory|conceptual|concrete|confident|conscious|considerable|constitutional|contemporary|content|
        continental|continuous|contrary|convenient|conventional|convinced|cool|corporate|costly|countless|
        courageous|crazy|creative|criminal|crowded|cruel|crude|cultural|curious|curly|cute|damp|dangerous|
        dark|dear|decisive|deep|delicate|delicious|delighted|democratic|dense|dependable|desperate|determined|
        devoted|diplomatic|dirty|disabled|distant|diverse|domestic|dominant|double|doubtful|dramatic|dry|due|
        dull|dusty|eager|eastern|economic|educational|elaborate|elderly|electric|electronic|elegant|elementary|
        embarrassed|emotional|empirical|endless|energetic|enormous|entire|environmental|equal|equivalent|
        eternal|ethical|ethnic|evident|evil|exact|excellent|exceptional|excited|exciting|exotic|experienced|
        expert|extensive|extraordinary|extreme|fabulous|faint|faithful|false|famous|fancy|fantastic|far|
        fashionable|fatal|favourable|favourite|federal|fellow|female|festive|few|fierce|financial|fine|firm|
        fiscal|fit|flat|fluent|foolish|foreign|forgotten|formidable|fortunate|fragile|frank|frantic|free-form|
        frightened|frozen|fruitful|functional|funny|furious|future|gentle|genuine|geographical|giant|glad|
        glorious|golden|gorgeous|graceful|gradual|grand|grateful|grave|great|greedy|grim|gross|guilty|handsome|
        handy|happy|hard|harsh|helpless|hilarious|holy|homeless|honourable|hopeful|horizontal|horrible|hostile|
        hot|humble|humid|hungry|icy|identical|idle|ill|illegal|imaginary|immense|imperial|impossible|impressive|
        inadequate|incredible|indirect|industrial|inevitable|infinite|influential|innocent|insufficient|
        integral|intellectual|intelligent|intense|interested|interesting|intermediate|international|intimate|
        invisible|ironic|jealous|joint|joyful|junior|just|keen|kind|large-scale|lasting|lazy|leading|lengthy|
        liberal|lively|logical|lonely|loud|lovely|loyal|lucky|magnetic|magnificent|male|marginal|marine|
        massive|maximum|mechanical|medical|medieval|mental|mere|messy|mighty|mild|military|minimal|minimum|
        miserable|mobile|moderate|molecular|monetary|moral|municipal|musical|mysterious|naked|narrative|
        nasty|national|natural|naval|near|neat|nervous|nice|noble|nuclear|numerous|obscure|occasional|odd|
        offensive|okay|olympic|ongoing|optical|oral|orange|organic|overseas|painful|pale|parental|
        parliamentary|passionate|passive|patient|peaceful|peculiar|perfect|persistent|personal|pink|pleasant|
        pleased|poetic|polite|political|poor|pregnant|premier|prepared|present|presidential|pretty|prime|
        principal|prior|probable|profound|progressive|prominent|promising|prospective|protective|proud|
        psychological|pure|purple|puzzled|radical|rapid|rare|rational|ready|real|rear|regulatory|related|
        relative|relaxed|religious|reluctant|remarkable|remote-first|renewable|residential|resident|
        respectable|retail|retired|rich|rigid|romantic|rotten|round|royal|rubber|rude|rural|sacred|sad|
        satisfactory|satisfied|scared|scattered|scientific|secret|secular|selective|senior|sensible|
        sentimental|sexual|shallow|sharp|shiny|shocked|shy|sick|silent|silly|skilled|sleepy|slim|smart|smiling|
        social|soft|solar|sole|sophisticated|sore|sorry|sound|sour|southern|sovereign|spare|spatial|special|
        spectacular|spicy|spiritual|splendid|spontaneous|square|stable|steady|steep|sticky|stiff|still|
        straightforward|strange|stupid|subsequent|substantial|successive|sudden|super|superb|superior|
        supreme|sure|surprised|surprising|suspicious|sweet|swift|symbolic|sympathetic|systematic|talented|
        tall|tame|tender|tense|terrible|terrific|territorial|thankful|theoretical|thick|thin|thirsty|
        thoughtful|tidy|tiny|tired|top|tough|toxic|traditional|tragic|tremendous|tropical|true|ugly|ultimate|
        unable|unacceptable|uncertain|uncomfortable|underlying|unemployed|unexpected|unfair|unfortunate|
        unhappy|uniform|unlikely|unnecessary|unpleasant|unprecedented|upper|upset|urban|used|usual|valuable|
        various|vast|verbal|vertical|vibrant|violent|virtual|visual|vital|vivid|vocational|voluntary|warm|
        wealthy|weekly|weird|welcome|western|wet|white|whole|wicked|wild|willing|wise|wonderful|wooden|
        working|worried|worthwhile|worthy|written|yellow|young|youthful
        """

    static let extraVerbs = """
        absorb|accelerate|accommodate|accompany|accumulate|accuse|achieve|acquire|activate|address|admire|admit|
        adopt|advertise|advise|advocate|affect|afford|agree|aim|allow|alter|amend|amuse|analyze|answer|
        apologize|appeal|appear|appoint|appreciate|approach|argue|arrange|arrest|arrive|ask|assemble|assert|
        assess|assist|assume|assure|attach|attack|attend|attract|attribute|authorize|award|bake|ban|bear|beat|
        become|beg|begin|behave|believe|belong|bend|benefit|bet|bind|bite|blame|blend|bless|blow|boil|boost|
        borrow|bother|bounce|bow|break|breathe|breed|bring|broadcast|brush|burn|burst|bury|buy|call|calm|care|
        carry|carve|cast|catch|cause|celebrate|chase|chat|cheat|cheer|chew|choose|cite|claim|clap|clarify|
        climb|cling|coach|collapse|comment|compete|compile|complain|compose|comprise|compute|conceal|concede|
        conceive|concentrate|conclude|condemn|conduct|confess|confine|confront|confuse|congratulate|connect|
        conquer|consent|conserve|consider|consist|construct|consult|consume|contain|contemplate|continue|
        contract|contrast|convey|convict|convince|cook|cope|copy|cost|count|crash|crawl|create|creep|criticize|
        cross|crush|cry|cultivate|cure|curl|cycle|damage|dance|dare|deal|debate|declare|decline|decorate|
        dedicate|defeat|defend|delay|delight|demand|deny|depart|depend|depict|derive|descend|describe|deserve|
        desire|destroy|dictate|differ|dig|dine|direct|disagree|disappear|discover|dismiss|display|dispose|
        dissolve|distinguish|disturb|dive|divide|donate|doubt|drag|drain|draw|dress|drift|drill|drink|drown|
        dry|earn|ease|eat|echo|educate|elect|embrace|emerge|emphasize|employ|empower|enclose|encounter|
        encourage|endorse|endure|engage|enhance|enjoy|enrich|enroll|enter|entertain|equip|erase|erect|escape|
        establish|evacuate|evolve|exaggerate|examine|exceed|exchange|excite|excuse|exercise|exhibit|exist|
        expect|experience|experiment|expire|exploit|expose|express|face|fade|fail|fall|fancy|fasten|favour|
        fear|feature|feed|feel|fetch|fight|fill|find|fire|fit|flee|float|flood|flow|fly|focus|fold|follow|
        forbid|force|forgive|form|foster|found|frame|frighten|fund|gain|gaze|glance|glow|govern|grab|grant|
        greet|grind|grip|grow|guarantee|guard|guess|guide|hang|happen|harm|hate|head|heal|hear|heat|help|hesitate|
        hide|hire|hit|hold|hope|host|hug|hunt|hurry|hurt|ignore|illustrate|imagine|imitate|impose|impress|
        incorporate|indicate|induce|infer|inherit|inhibit|inject|injure|insert|insist|inspire|instruct|insure|
        intend|interfere|interpret|interrupt|interview|invade|invent|invest|involve|iron|join|joke|judge|jump|
        justify|kick|kill|kiss|kneel|knock|know|lack|land|last|laugh|lay|lean|leap|learn|leave|lend|let|lie|
        lift|light|like|link|listen|live|locate|look|lose|love|lower|make|manufacture|march|marry|master|
        matter|mean|meet|melt|memorize|mend|mind|miss|mix|motivate|mount|murmur|name|need|neglect|nod|note|
        notice|obey|object|oblige|observe|obtain|occupy|occur|offend|offer|omit|operate|oppose|order|originate|
        overcome|overlook|owe|pack|paint|park|participate|pass|pay|perceive|permit|persist|persuade|phone|
        pick|pinch|place|play|plead|please|pledge|plot|plunge|point|polish|pose|possess|post|pour|practise|
        praise|pray|preach|precede|predict|prefer|preserve|press|pretend|prevail|proceed|proclaim|profit|
        progress|prohibit|project|prolong|promise|prompt|pronounce|prove|pump|punch|punish|purchase|pursue|
        quit|quote|race|rain|raise|reach|react|read|realize|reason|recall|recognize|recommend|recover|recruit|
        reflect|reform|refuse|regain|regard|regret|reinforce|relate|relax|relieve|rely|remain|remark|remember|
        remind|render|rent|repeat|represent|reproduce|rescue|resemble|reserve|reside|resign|resist|respond|
        rest|retire|reveal|reverse|reward|ride|ring|rise|risk|rob|roll|rub|ruin|rule|rush|sail|satisfy|
        scatter|score|scratch|scream|search|seek|seize|sell|sense|serve|settle|shake|shape|shelter|shift|
        shine|shoot|shout|show|shrink|shut|sigh|signal|sing|sink|sit|ski|sleep|slide|slip|smell|smile|smoke|
        snap|solve|sound|speak|specify|speculate|spell|spend|spill|spin|spoil|spot|spray|spread|spring|squeeze|
        stack|stand|stare|state|stay|steal|steer|step|stick|stimulate|stir|strengthen|stress|stretch|strike|
        strip|strive|structure|struggle|study|stumble|subscribe|substitute|succeed|suffer|sum|supply|suppose|
        suppress|surprise|surrender|surround|survey|survive|suspect|sustain|swallow|swear|sweep|swell|swim|
        swing|talk|taste|teach|tear|tease|tell|tend|thank|think|threaten|throw|tie|tolerate|touch|tour|trace|
        trade|transform|transmit|transport|trap|travel|treat|trim|trust|try|turn|twist|undergo|undermine|
        understand|undertake|unite|urge|value|vanish|vary|venture|view|visit|voice|volunteer|vote|wait|wake|
        walk|wander|want|warn|wash|waste|watch|wave|wear|weave|weigh|welcome|whisper|widen|win|wipe|wish|
        withdraw|witness|wonder|work|worry|wrap|yell|yield
        """
}
