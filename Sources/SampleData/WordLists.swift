// Word lists for the sample generator: `|`-separated phrases, one list per word-list slot.

extension Lexicon {
    static let wordListText: [Slot: String] = [
        .noun: """
        account|invoice|dashboard|report|customer|order|shipment|subscription|payment|refund|license|workspace|project|
        integration|webhook|token|session|password|profile|team|role|permission|audit log|export|import|file|folder|
        document|contract|policy|budget|forecast|quarter|campaign|lead|opportunity|pipeline|deal|quote|renewal|plan|
        seat|user|admin|notification|email|reminder|calendar|meeting|ticket|request|release|deployment|build|branch|
        commit|test suite|cluster|node|database|table|query|index|backup|snapshot|region|bucket|queue|topic|stream|
        schema|migration|endpoint|API key|certificate|domain|proxy|gateway|load balancer|cache|job|cron task|worker|
        container|image|registry|secret|vault|variable|config file|feature flag|experiment|metric|alert|incident|
        runbook|postmortem|SLA|SLO|error budget|latency|throughput|dataset|model|prompt|embedding|vector store|
        transcript|summary|translation|spreadsheet|chart|slide deck|proposal|agenda|roadmap|milestone|sprint|
        backlog|epic|story|bug|regression|patch|hotfix|rollback|changelog|vendor|supplier|warehouse|inventory|SKU|
        catalog|price list|discount|coupon|tax rate|receipt|credit note|purchase order|expense report|payroll|
        timesheet|onboarding checklist|offboarding form|laptop|badge|VPN|SSO configuration|identity provider|
        retention policy|legal hold|data processing agreement|privacy notice|consent record|cookie banner|
        agreement|allowance|analysis|announcement|application|appointment|approval|architecture|archive|argument|
        assessment|asset|assignment|assumption|attachment|attempt|audience|author|authority|balance|bandwidth|
        baseline|benchmark|benefit|billing cycle|board deck|bonus|boundary|brand|breakdown|brief|briefing|bundle|
        calculation|candidate|capacity|career page|category|channel|checkpoint|checklist|claim|clause|client|
        code path|cohort|collection|commission|commitment|committee|community|comparison|compensation|complaint|
        component|compromise|condition|conference|confirmation|conflict|connection|consultant|contact|context|
        contractor|contribution|conversation|coordinator|copy|correction|cost center|council|counter|coverage|
        credential|credit|criteria|currency|cursor|cycle|deadline|decision|default|defect|deficit|definition|
        delay|delivery|demand|department|dependency|deposit|description|design|destination|detail|developer|
        device|diagram|difference|dimension|director|discussion|dispute|distribution|division|draft plan|driver|
        duty|edition|effort|election|element|eligibility|employee|employer|engine|entry|environment|error rate|
        estimate|evaluation|evidence|exception|exchange|executive|exemption|expansion|expectation|expense|
        experience|expert|exposure|extension|facility|factor|failure|fee|feedback|field|figure|filing|finding|
        firewall|fix|fleet|flow|focus group|format|formula|framework|freight|frequency|function|fund|gap|goal|
        grant|graph|guarantee|guideline|handover|hardware|headline|helpdesk|hierarchy|highlight|hiring manager|
        holiday|host|hypothesis|identifier|impact|implementation|improvement|incentive|income|indicator|
        initiative|input|inquiry|insight|inspection|installation|instance|instruction|insurance|interface|
        interview|investment|issue|item|journey|judgement|kickoff|knowledge base|label|landing page|launch|layer|
        layout|leader|lease|ledger|lesson|letter|level|liability|limit|link|listing|loan|location|lock|log entry|
        login|logo|loss|machine|mailbox|maintenance window|manager|manual|margin|market|mechanism|member|memo|
        mentor|message|method|minute|mission|mistake|mockup|module|moment|motion|network|newsletter|note|notice|
        objective|obligation|offer|office|operation|operator|option|outage|outcome|outline|output|overview|owner|
        package|page|panel|parameter|partner|party|passport|pattern|payslip|peak|penalty|percentage|performance|
        period|phase|pilot|platform|player|position|post|posture|practice|premium|presentation|priority|
        procedure|process|producer|product line|professional|program|progress|promotion|property|protocol|
        provider|provision|purchase|purpose|qualification|quality|question|quota|rate|ratio|reason|recipient|
        recommendation|reconciliation|recovery|reference|regulation|relationship|remedy|rental|repair|replica|
        repository|representative|requirement|reservation|resolution|resource|response|responsibility|result|
        review|revision|reward|risk|route|rule|runtime|salary|sample|scenario|schedule|scope|score|screen|script|
        segment|selection|sequence|server|service|setting|shift|signal|signature|site|skill|solution|source|
        specification|sponsor|stage|stakeholder|statement|station|status|step|storage|strategy|structure|
        submission|substitute|success|suggestion|supply|support case|survey|suspension|system|target|task|
        technique|template|tenant|term|territory|threshold|timeline|title|tone|total|track|trade|training|
        transaction|transfer|transition|trend|trial|trigger|upgrade|usage|utility|validation|value|venue|
        version|video|view|visit|visitor|volume|voucher|warning|warranty|website|window|workflow|workload|
        workshop|zone
        """,
        .nouns: """
        accounts|invoices|dashboards|reports|customers|orders|shipments|subscriptions|payments|refunds|licenses|
        workspaces|projects|integrations|webhooks|tokens|sessions|profiles|teams|roles|permissions|exports|files|
        documents|contracts|policies|budgets|campaigns|leads|deals|quotes|renewals|seats|users|admins|notifications|
        emails|meetings|tickets|releases|deployments|builds|branches|commits|clusters|nodes|databases|tables|queries|
        indexes|backups|snapshots|buckets|queues|streams|migrations|endpoints|certificates|jobs|workers|containers|
        images|secrets|feature flags|experiments|metrics|alerts|incidents|datasets|models|prompts|transcripts|
        summaries|spreadsheets|charts|proposals|milestones|sprints|bugs|patches|vendors|suppliers|SKUs|discounts|
        coupons|receipts|purchase orders|expense reports|timesheets|laptops|consent records|line items|stakeholders|
        agreements|analyses|announcements|applications|approvals|assets|assignments|assumptions|attachments|
        benefits|candidates|categories|channels|checklists|claims|clauses|clients|cohorts|complaints|components|
        conditions|contacts|contractors|conversations|credentials|credits|decisions|defects|delays|deliveries|
        departments|dependencies|deposits|designs|developers|devices|differences|discussions|disputes|employees|
        engineers|entries|environments|estimates|exceptions|expenses|experts|factors|failures|fees|fields|figures|
        findings|fixes|goals|guidelines|highlights|holidays|hosts|identifiers|improvements|initiatives|inputs|
        insights|instances|instructions|interfaces|interviews|investments|issues|items|labels|launches|layers|
        leaders|lessons|letters|limits|links|locations|logins|machines|managers|margins|markets|members|messages|
        methods|modules|networks|notes|objectives|obligations|offers|operations|options|outages|outcomes|outputs|
        owners|packages|pages|parameters|partners|patterns|penalties|phases|pilots|platforms|positions|practices|
        priorities|procedures|processes|programs|properties|providers|purchases|questions|quotas|rates|reasons|
        recipients|recommendations|references|regulations|repairs|replicas|repositories|requirements|reservations|
        resources|responses|results|reviews|revisions|risks|routes|rules|salaries|samples|scenarios|schedules|
        scores|screens|scripts|segments|servers|services|settings|shifts|signals|signatures|sites|skills|
        solutions|sources|stages|statements|steps|strategies|submissions|suggestions|suppliers|surveys|systems|
        targets|tasks|templates|tenants|terms|thresholds|timelines|totals|trades|transactions|transfers|trends|
        trials|triggers|upgrades|values|vendors|versions|videos|views|visitors|vouchers|warnings|websites|
        windows|workflows|workloads|workshops|zones
        """,
        .adj: """
        new|old|current|previous|next|last|first|final|main|primary|secondary|internal|external|public|private|
        shared|personal|critical|minor|major|urgent|important|optional|required|mandatory|missing|duplicate|broken|
        slow|fast|stable|unstable|flaky|intermittent|consistent|inconsistent|unexpected|expected|correct|incorrect|
        wrong|valid|invalid|expired|active|inactive|pending|approved|rejected|archived|deleted|draft|published|
        annual|monthly|weekly|daily|quarterly|recurring|one-time|manual|automatic|scheduled|failed|successful|
        partial|complete|incomplete|large|small|huge|tiny|empty|full|new-style|legacy|deprecated|experimental|
        regional|global|local|remote|secure|insecure|encrypted|redacted|anonymous|verified|unverified|premium|
        standard|basic|enterprise|free|paid|overdue|upcoming|detailed|short|concise|clear|confusing|noisy|quiet|
        accurate|adequate|affordable|aggressive|ambiguous|appropriate|available|average|aware|careful|cautious|
        central|cheap|common|comparable|compatible|competitive|complex|compliant|comprehensive|confidential|
        conservative|constant|critical-path|cross-functional|crucial|customer-facing|decent|dedicated|
        defensive|delayed|dependent|difficult|digital|direct|distinct|dynamic|early|effective|efficient|
        eligible|essential|excessive|exclusive|existing|expensive|explicit|fair|familiar|feasible|flexible|
        formal|frequent|fresh|friendly|fundamental|general|generous|granular|healthy|heavy|helpful|hidden|
        historical|honest|ideal|identical|immediate|implicit|independent|individual|informal|initial|innovative|
        intensive|interim|isolated|key|late|lean|legal|light|likely|limited|live|long|long-term|loose|low-risk|
        mature|meaningful|measurable|medium|modern|modest|multiple|mutual|narrow|native|necessary|negative|
        neutral|nominal|normal|notable|obvious|official|offline|online|open|operational|ordinary|original|
        outstanding|overall|parallel|permanent|physical|plain|popular|portable|positive|possible|potential|
        practical|precise|predictable|preferred|preliminary|proactive|productive|professional|profitable|
        proper|proposed|raw|readable|realistic|reasonable|recent|redundant|regular|relevant|reliable|remaining|
        repeated|representative|responsible|restricted|reusable|robust|rough|routine|safe|scalable|seasonal|
        sensitive|separate|serious|severe|significant|similar|simple|single|smooth|solid|specific|stale|
        strategic|strict|strong|structured|subtle|sufficient|suitable|sustainable|technical|temporary|
        thorough|tight|total|transparent|typical|unclear|unified|unique|unknown|unusual|upstream|downstream|
        urgent-looking|useful|vague|visible|vulnerable|weak|wide|worldwide|zero-downtime
        """,
        .adv: """
        quickly|slowly|immediately|eventually|occasionally|frequently|rarely|always|never|sometimes|usually|
        suddenly|gradually|randomly|consistently|intermittently|recently|currently|previously|already|still|
        automatically|manually|silently|correctly|incorrectly|partially|completely|temporarily|permanently|
        unexpectedly|roughly|exactly|clearly|briefly|carefully|safely|directly|only|again|
        actively|broadly|closely|deliberately|easily|effectively|efficiently|entirely|especially|explicitly|
        fairly|firmly|formally|fully|generally|heavily|highly|independently|informally|largely|manually|
        mostly|nearly|newly|normally|openly|particularly|periodically|possibly|precisely|primarily|promptly|
        properly|quietly|rapidly|regularly|reliably|repeatedly|seriously|significantly|simply|slightly|
        smoothly|specifically|steadily|strictly|strongly|substantially|successfully|thoroughly|typically|
        urgently|widely
        """,
        .verb: """
        update|delete|create|export|import|download|upload|sync|refresh|reset|restore|rotate|revoke|renew|cancel|
        approve|reject|review|merge|deploy|roll back|migrate|archive|index|search|filter|sort|group|aggregate|
        summarize|translate|classify|extract|validate|verify|sign|encrypt|decrypt|compress|cache|retry|schedule|
        notify|assign|escalate|close|reopen|investigate|reproduce|fix|patch|test|monitor|measure|optimize|
        configure|enable|disable|invite|remove|transfer|refund|charge|bill|invoice|forecast|plan|prioritize|
        document|clarify|confirm|compare|estimate|check|share|publish|draft|rewrite|shorten|expand|format|
        accept|acknowledge|adapt|add|adjust|align|allocate|analyse|announce|anticipate|audit|automate|avoid|
        balance|benchmark|block|book|budget|build|calculate|capture|centralize|challenge|change|clean up|collect|
        combine|commit|communicate|complete|consolidate|contact|contribute|convert|coordinate|correct|cover|
        customize|debug|decide|decommission|define|delegate|deliver|demonstrate|design|detect|determine|develop|
        discuss|distribute|double-check|drive|drop|duplicate|edit|eliminate|enforce|ensure|evaluate|exclude|
        execute|explain|explore|extend|finalize|flag|follow up on|forward|freeze|gather|generate|handle|
        highlight|identify|implement|improve|include|increase|inform|inspect|install|integrate|introduce|
        isolate|keep|label|launch|lead|limit|list|load|lock|log|maintain|manage|map|mark|match|mention|
        mitigate|model|modify|move|negotiate|normalize|onboard|open|organize|outline|own|pause|perform|pilot|
        postpone|prepare|present|prevent|print|process|produce|promote|propose|protect|provide|publish|pull|
        push|qualify|rank|rebuild|receive|reconcile|record|reduce|register|release|rename|reorganize|repair|
        replace|replicate|report|request|require|reschedule|resolve|restart|restrict|resume|retain|return|
        reuse|revise|route|run|save|scale|scan|secure|select|send|separate|set up|ship|simplify|sketch|split|
        standardize|start|stop|store|streamline|submit|suggest|summarise|supervise|support|suspend|switch|
        tag|take over|target|terminate|throttle|track|train|transfer|trigger|troubleshoot|unblock|unlock|
        upgrade|use|verify again|wrap up|write
        """,
        .product: """
        billing portal|mobile app|admin console|checkout page|public API|SSO login|data export|reporting dashboard|
        invoice generator|customer portal|analytics module|notification center|search bar|file uploader|
        team settings|user directory|audit trail|webhook settings|integration marketplace|iOS app|Android app|
        desktop client|browser extension|Slack integration|Salesforce connector|CSV import|scheduler|
        approval workflow|payment page|subscription page|usage dashboard|API playground|developer docs|
        onboarding wizard|chat widget|knowledge base|status page|password reset flow|two-factor setup
        """,
        .symptom: """
        keeps timing out|shows a blank page|returns a 500 error|is extremely slow|logs me out every few minutes|
        shows the wrong totals|does not load at all|freezes after a few seconds|throws a validation error|
        duplicates every entry|ignores my changes|shows an outdated version|sends the email twice|
        fails without any message|crashes on startup|spins forever|rejects valid input|charges the wrong amount|
        displays garbled characters|loses the uploaded file|shows someone else's data|cannot find my records|
        redirects in a loop|says my session expired|is stuck in pending|drops the last rows|rounds the numbers wrong
        """,
        .errmsg: """
        Error 502: Bad Gateway|Invalid token|ECONNRESET|Payment declined|Request entity too large|
        Something went wrong, please try again later|Unauthorized|Forbidden: insufficient permissions|
        Timeout waiting for response|NullPointerException|TypeError: Cannot read properties of undefined|
        KeyError: 'customer_id'|connection refused|deadlock detected|disk quota exceeded|certificate has expired|
        rate limit exceeded|upstream connect error or disconnect/reset before headers|invalid JSON in request body|
        duplicate key value violates unique constraint|out of memory|context deadline exceeded|no such file or directory|
        SSL handshake failed|field 'email' is required|index out of range|permission denied|too many open files|
        could not serialize access due to concurrent update|the provided signature does not match|quota exceeded
        """,
        .action: """
        export my invoices|reset my password|add a new user|change the billing address|download last month's report|
        connect our Slack workspace|update the credit card on file|cancel the annual plan|upgrade to the enterprise plan|
        remove a former employee|merge two accounts|set up single sign-on|import the customer list|
        change the account owner|enable two-factor authentication|get a copy of our data|delete old projects|
        move the workspace to the EU region|change the invoice currency|add a purchase order number to invoices|
        restore a deleted file|rotate our API keys|invite the finance team|configure the webhook|schedule a weekly export
        """,
        .weekday: "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
        .month: "January|February|March|April|May|June|July|August|September|October|November|December",
        .area: "Billing|Authentication|Integrations|Performance|Data export|Mobile|Account management|Security|Onboarding|Reporting|API|Notifications",
        .urgency: "low|medium|medium|high|high|critical",
        .service: """
        payment-service|auth-gateway|order-api|inventory-worker|notification-svc|search-indexer|billing-cron|
        user-service|report-builder|ingest-pipeline|webhook-dispatcher|pdf-renderer|email-sender|session-store|
        checkout-api|pricing-engine|fraud-scorer|ledger-writer|export-worker|feature-flags|llm-router|rag-retriever
        """,
        .host: """
        db-primary-01|db-replica-02|cache-03|web-04|web-05|worker-06|worker-07|kafka-broker-1|kafka-broker-2|
        redis-main|pg-analytics|es-node-3|api-edge-eu|api-edge-us|batch-runner-2|ingest-9|gpu-node-12
        """,
        .ident: """
        user|users|order|orders|item|items|total|count|result|results|config|options|payload|response|request|
        client|session|record|records|customer|invoice|amount|price|discount|tax|line|lines|row|rows|batch|
        cursor|offset|limit|page|retries|timeout|deadline|token|header|headers|body|status|error|err|ctx|
        logger|cache|key|value|entry|entries|index|buffer|stream|event|events|handler|callback|queue|job
        """,
        .fn: """
        fetchUser|loadConfig|parseInvoice|computeTotal|applyDiscount|validateEmail|sendNotification|retryRequest|
        buildQuery|normalizeAddress|mergeRecords|exportCsv|renderReport|hashPassword|refreshToken|scheduleJob|
        resolveTenant|chargeCard|reconcileLedger|paginate|groupByCustomer|detectDuplicates|formatCurrency|
        uploadFile|checkPermissions|emitMetrics|handleWebhook|syncInventory|calculateTax|readBatch|flushQueue
        """,
        .type: """
        User|Order|Invoice|Customer|LineItem|Config|Session|Request|Response|Client|Record|Report|Payment|
        Subscription|Account|Event|Job|Result|Cursor|Page|Token|Ledger|Money|Address|Notification|Tenant
        """,
        .table: """
        orders|customers|invoices|payments|subscriptions|users|events|sessions|line_items|products|refunds|
        accounts|tickets|shipments|usage_records|plans|invoice_items|audit_events|page_views|signups|churn_scores
        """,
        .column: """
        created_at|updated_at|customer_id|user_id|order_id|amount|amount_cents|currency|status|region|country|
        plan_id|quantity|unit_price|discount_cents|tax_cents|email|signup_source|channel|device|revenue|mrr|
        cancelled_at|trial_ends_at|seats|product_id|category|score|is_active|deleted_at|tenant_id|paid_at
        """,
        .metric: """
        revenue|monthly recurring revenue|churn rate|conversion rate|average order value|active users|
        refund rate|ticket volume|first response time|resolution time|net revenue retention|signups|
        failed payments|gross margin|customer lifetime value|daily active users|weekly active users|trial conversions
        """,
        .dimension: "country|plan|signup channel|region|product category|customer segment|device type|sales rep|acquisition campaign|billing currency|week|month",
        .topic: """
        Q3 revenue forecast|data retention policy|EU expansion plan|pricing change for the Pro tier|
        incident review for the checkout outage|vendor security assessment|hiring plan for the platform team|
        migration to the new billing system|customer churn analysis|annual security training|
        SOC 2 audit preparation|office move to the new building|roadmap for the mobile app|
        GDPR data subject requests|support staffing for the holiday season|cloud cost reduction|
        partner program launch|model evaluation results|AI usage guidelines|procurement process update
        """,
        .company: """
        Northwind Traders|Contoso|Fabrikam|Tailspin Toys|Wide World Importers|Adventure Works|Litware|Proseware|
        Blue Yonder Airlines|Coho Winery|Lucerne Publishing|Margie's Travel|Trey Research|Woodgrove Bank|
        Alpine Ski House|Fourth Coffee|Graphic Design Institute|Humongous Insurance|Relecloud|VanArsdel
        """,
        .city: """
        London|Berlin|Paris|Amsterdam|Dublin|Madrid|Lisbon|Stockholm|Warsaw|Milan|New York|San Francisco|Austin|
        Toronto|Chicago|Seattle|Boston|Mumbai|Bangalore|Singapore|Sydney|Tokyo|São Paulo|Zürich|Munich|Lyon|
        Hamburg|Frankfurt|Cologne|Vienna|Prague|Budapest|Copenhagen|Oslo|Helsinki|Brussels|Antwerp|Rotterdam|
        Barcelona|Valencia|Seville|Porto|Rome|Turin|Naples|Athens|Istanbul|Krakow|Gdansk|Bucharest|Sofia|Zagreb|
        Edinburgh|Manchester|Birmingham|Bristol|Leeds|Glasgow|Cork|Galway|Marseille|Toulouse|Bordeaux|Nantes|
        Geneva|Basel|Denver|Atlanta|Miami|Dallas|Houston|Phoenix|Portland|Minneapolis|Detroit|Philadelphia|
        Montreal|Vancouver|Calgary|Mexico City|Bogotá|Lima|Santiago|Buenos Aires|Cape Town|Nairobi|Lagos|Cairo|
        Dubai|Riyadh|Tel Aviv|Delhi|Hyderabad|Chennai|Pune|Kolkata|Jakarta|Manila|Bangkok|Kuala Lumpur|Seoul|
        Osaka|Shanghai|Shenzhen|Hong Kong|Taipei|Melbourne|Brisbane|Perth|Auckland
        """,
        .country: "Germany|France|Ireland|Spain|the Netherlands|Sweden|Poland|Italy|the United States|Canada|India|Singapore|Australia|Japan|Brazil|the United Kingdom|Switzerland",
        .first: """
        James|Mary|John|Patricia|Robert|Jennifer|Michael|Linda|William|Elizabeth|David|Barbara|Richard|Susan|
        Joseph|Jessica|Thomas|Sarah|Charles|Karen|Daniel|Nancy|Matthew|Lisa|Anthony|Betty|Mark|Margaret|Paul|
        Sandra|Steven|Ashley|Andrew|Kimberly|Joshua|Emily|Kevin|Donna|Brian|Michelle|George|Carol|Edward|Amanda|
        Ronald|Melissa|Timothy|Deborah|Jason|Stephanie|Jeffrey|Rebecca|Ryan|Laura|Jacob|Sharon|Gary|Cynthia|
        Nicholas|Kathleen|Eric|Amy|Jonathan|Shirley|Stephen|Angela|Larry|Helen|Justin|Anna|Scott|Brenda|Brandon|
        Pamela|Benjamin|Nicole|Samuel|Emma|Gregory|Samantha|Alexander|Katherine|Patrick|Christine|Frank|Debra|
        Raymond|Rachel|Jack|Catherine|Dennis|Carolyn|Jerry|Janet|Tyler|Ruth|Aaron|Maria|Jose|Heather|Adam|Diane|
        Nathan|Olivia|Henry|Julie|Peter|Joyce|Zachary|Victoria|Lukas|Sophie|Jonas|Lea|Maximilian|Hannah|Felix|
        Mia|Leon|Lena|Paul|Clara|Hugo|Chloé|Louis|Manon|Arthur|Camille|Mateo|Lucía|Pablo|Sofía|Alejandro|Valentina|
        Luca|Giulia|Marco|Chiara|Lars|Ingrid|Erik|Astrid|Piotr|Zofia|Aarav|Priya|Rohan|Ananya|Vikram|Sneha|Arjun|
        Kavya|Wei|Mei|Hiroshi|Yuki|Kenji|Sakura|Min-jun|Ji-woo|Omar|Layla|Yusuf|Amira|Kwame|Ama|Chinedu|Ngozi|
        Mateus|Beatriz|Thiago|Larissa|Sean|Aoife|Ciaran|Siobhan|Noah|Ava|Liam|Isla|Oliver|Freya|Elijah|Nora
        """,
        .last: """
        Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez|Lopez|Gonzalez|Wilson|
        Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|Thompson|White|Harris|Sanchez|Clark|Ramirez|Lewis|
        Robinson|Walker|Young|Allen|King|Wright|Scott|Torres|Nguyen|Hill|Flores|Green|Adams|Nelson|Baker|Hall|
        Rivera|Campbell|Mitchell|Carter|Roberts|Gomez|Phillips|Evans|Turner|Diaz|Parker|Cruz|Edwards|Collins|
        Reyes|Stewart|Morris|Morales|Murphy|Cook|Rogers|Gutierrez|Ortiz|Morgan|Cooper|Peterson|Bailey|Reed|Kelly|
        Howard|Ramos|Kim|Cox|Ward|Richardson|Watson|Brooks|Chavez|Wood|James|Bennett|Gray|Mendoza|Ruiz|Hughes|
        Price|Alvarez|Castillo|Sanders|Patel|Myers|Long|Ross|Foster|Jimenez|Powell|Jenkins|Perry|Russell|Sullivan|
        Bell|Coleman|Butler|Henderson|Barnes|Muller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|
        Hoffmann|Dubois|Durand|Lefebvre|Moreau|Laurent|Simon|Michel|Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|
        Jansen|DeVries|Bakker|Visser|Nowak|Kowalski|Wisniewski|Andersson|Johansson|Karlsson|Nilsson|Sharma|Singh|
        Kumar|Gupta|Reddy|Iyer|Menon|Chen|Wang|Li|Zhang|Liu|Tanaka|Suzuki|Takahashi|Watanabe|Park|Choi|Okafor|
        Mensah|Haddad|Khalil|Silva|Santos|Oliveira|Souza|OBrien|Byrne|Walsh|Kennedy|Lynch|Murray|Quinn|Doyle
        """,
        .connector: "However,|In addition,|As a result,|For example,|Meanwhile,|On the other hand,|In practice,|Overall,|To be clear,|That said,|Separately,|In the meantime,",
        .docnoun: "the board|the finance team|the steering committee|legal|procurement|the security team|each business unit|the leadership team|the project sponsors|regional managers|the data protection officer|customer success",
        .party: "the Supplier|the Customer|the Processor|the Controller|the Licensee|the Licensor|either party|the Service Provider|the Subscriber",
        .tool: "search_issues|get_file_contents|create_pull_request|list_commits|search_tickets|create_issue|post_message|search_messages|run_query|read_file|list_directory|get_page|get_account|lookup_customer|create_refund|get_invoice",
        .filename: "src/billing/invoice.py|app/models/user.rb|internal/ledger/ledger.go|web/src/components/Checkout.tsx|services/payment/handler.ts|pkg/auth/token.go|lib/export/csv.py|README.md|docker-compose.yml|config/settings.yaml|migrations/0042_add_region.sql|src/main/java/com/app/OrderService.java",
        .feeling: "frustrated|confused|worried|disappointed|happy|relieved|surprised|concerned|annoyed|grateful",
        .risk: "low|moderate|elevated|high",
        .prep: "in|on|for|with|from|after|before|during|across|without|within|under|over|through|between|against|about|behind|beyond|near",
        .det: "the|our|this|that|every|each|your|their|the new|the old|the current|the same|another|any",
        .modal: "will|should|must|can|could|may|might|would|will need to|should not|cannot|would rather|might want to|ought to|will probably|may need to|will not|should soon",
        .subject: "we|they|I|you|the team|our customers|most users|the vendor team|finance|the auditors|our engineers|both teams|the managers|some customers|new hires|the analysts|the admins|people in sales",
        .conj: "and|but|so|because|although|while|since|unless|even though|whereas",
        .deadline: "by end of day|before Friday|by the end of the month|before the next release|within two weeks|before the board meeting|by Q1|as soon as possible",
    ]
}
