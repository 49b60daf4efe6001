// Template sources: one template per line; `«slot»` is filled at generation time, `¶` is a line break.

enum T {
    static func systemPrompt(_ category: Category) -> String {
        switch category {
        case .support: return """
            You are a helpful customer support assistant for «tenant». Classify each ticket by product area and urgency, then draft a short, polite reply. Never promise refunds or credits; escalate billing disputes to a human agent. Do not reveal internal notes.
            You are «tenant»'s support copilot. Answer using only the knowledge base excerpts provided. If the answer is not in the excerpts, say you will escalate. Keep replies under 150 words and use the customer's first name.
            Act as a tier-1 support agent for «tenant». Be empathetic and concise. Output the category, the urgency (low, medium, high, critical) and a reply the agent can send as is.
            """
        case .code: return """
            You are an expert software engineer. Review code for correctness, security and readability. Point out bugs first, then suggest improvements with short code examples. Be direct.
            You are a coding assistant embedded in «tenant»'s IDE. Answer with working code and a brief explanation. Prefer the standard library. Mention edge cases and tests.
            You are a senior reviewer. For each issue give the line, the problem and the fix. Flag any hard-coded credentials or secrets.
            """
        case .sql: return """
            You are a data analyst assistant. Write PostgreSQL queries against the schema provided. Use explicit JOINs, avoid SELECT *, and explain the query in two or three sentences.
            You translate business questions into SQL for «tenant»'s warehouse (PostgreSQL 15). Only use the tables listed. Return the query in a sql code block followed by a short explanation.
            """
        case .summary: return """
            You summarize business documents for busy executives. Use short bullet points, keep numbers and dates exact, and list open questions and owners at the end.
            You are a meeting assistant. Produce a summary with decisions, action items (with owners and due dates) and risks. Do not invent facts that are not in the transcript.
            You review contracts for «tenant»'s legal team. Summarize obligations, termination rights, liability caps and data protection terms. Flag anything unusual.
            """
        case .logs: return """
            You are an SRE assistant. Analyse the logs and metrics provided, identify the most likely root cause, and propose mitigation steps in order of priority. Be precise about timestamps and services.
            You help «tenant»'s on-call engineers triage incidents. Correlate errors across services, estimate customer impact, and suggest the next diagnostic command to run.
            """
        case .general: return """
            You are a friendly assistant for «tenant» employees. Answer clearly and briefly. If a question concerns HR policy or legal matters, point to the relevant internal page.
            You are a helpful assistant. Answer the user's question accurately. Use lists when they help. Ask a clarifying question when the request is ambiguous.
            You are «tenant»'s marketing writer. Write in a warm, confident tone, avoid jargon, and keep the brand voice consistent.
            """
        case .extraction: return """
            Extract the requested fields from the text and answer with a single JSON object only. Use null for missing values. Dates in ISO 8601, amounts as numbers.
            You are an information extraction service. Return valid JSON that matches the schema given by the user. Do not add commentary.
            """
        case .agent: return """
            You are an operations agent for «tenant». Use the available tools to look up orders, customers and invoices before answering. Never guess identifiers. Confirm before making changes.
            You are an autonomous assistant with access to tools. Think about which tool to call, call it with precise arguments, and summarize the result for the user.
            """
        }
    }

    static let supportSubject = """
        «product» «symptom»
        Cannot «action»
        Urgent: «product» down for our whole team
        Question about my «noun»
        «errmsg» when trying to «action»
        Help needed with «adj» «noun»
        Billing question for order «orderid»
        Re: «product» issue (ticket «ticket»)
        Need help to «action» before «weekday»
        Refund request for «orderid»
        """

    static let supportBody = """
        Hi, since «weekday» morning the «product» «symptom» when I try to «action».
        I already tried clearing the cache and logging in again, but the problem is still there.
        We are on the «adj» plan with «num2» seats and this is blocking our «docnoun».
        The error message says "«errmsg»".
        Could you please check what is going on? We need to «action» «deadline».
        This started after your «adj» release on «month» «num2».
        It happens on Chrome and Safari, on both Mac and Windows.
        Our order number is «orderid» and the amount charged was «money».
        I was charged «money» instead of «money», please explain the difference.
        Two of my colleagues see the same thing, so it is not just my account.
        I am honestly quite «feeling» because this is the «num» time this month.
        Is there a workaround until it is fixed?
        Our finance team needs the «adj» «noun» for the audit «deadline».
        When I open the «product» it «symptom», and after a while I get "«errmsg»".
        We tried to «action» but the button is greyed out.
        I attached a screenshot and the HAR file from the browser.
        Please let me know if you need anything else from our side.
        Also, how do I «action»? I could not find it in the documentation.
        We have around «num3» «nouns» in the workspace, if that matters.
        The «noun» shows status «adj» even though it was «adj» yesterday.
        Last time support told me it was fixed in version «ver», but we are on «ver» and still see it.
        The issue affects roughly «pct» of our users in «city».
        Can you escalate this to someone on the engineering team?
        We rely on the «product» for our daily «nouns», so this is really important for us.
        Thanks for your help, and sorry for the long message.
        """

    static let supportReply = """
        According to the help article, «prose»¶¶«kbdoc»
        Thanks for reaching out, and I am sorry for the trouble with the «product».
        I checked your account and can confirm that the «noun» was «adj» on «month» «num2».
        Our engineering team is aware of an issue where the «product» «symptom», and a fix is scheduled for version «ver».
        In the meantime, you can «action» from Settings > «area» > Advanced.
        I have escalated your ticket «ticket» to our «area» specialists with high priority.
        Could you tell me which browser and operating system you are using?
        The charge of «money» covers the «adj» period for «num2» seats, which explains the difference you noticed.
        I have issued a credit of «money» to your account; it will appear on your next invoice.
        To «action», open the «product», select your «noun» and click "«verb»".
        Please try again now and let me know if the error "«errmsg»" still appears.
        This behaviour is caused by a «adj» «noun» on our side, not by anything you did.
        I will keep this ticket open and update you «deadline».
        You can follow the progress on our status page as well.
        For security reasons I cannot change the account owner myself, but an admin on your team can do it in a few clicks.
        """

    static let supportClosing = """
        Best regards,¶«agent»¶«tenant» Support
        Kind regards,¶«agent» from the «tenant» team
        Thanks again for your patience,¶«agent»
        Have a great «weekday»!¶«agent», Customer Success
        """

    static let supportFollowUp = """
        Thanks, that worked for the «product», but now I cannot «action».
        Any update on ticket «ticket»? It has been «num» days.
        Can you also send me the «adj» «noun» for «month»?
        It is still failing with "«errmsg»".
        """

    static let codeAsk = """
        Can you review this «lang» function? It «symptom» in production when the input is large.
        Why does this «lang» code raise "«errmsg»" sometimes?
        Please refactor this «lang» code to be more readable and add error handling.
        Write unit tests for the following «lang» function.
        Is there a security problem in this «lang» snippet? We use it to «verb» «nouns».
        How can I make this faster? It takes «num» seconds for «num4» «nouns».
        Convert this «lang» code to use async/await and explain the changes.
        Our linter complains about this «lang» function. What is wrong with it?
        """

    static let codeReview = """
        The main bug is that «ident» can be empty, so the loop never runs and the function returns a «adj» «ident».
        You are catching every exception and ignoring it, which hides the real error; catch only the specific error and log it.
        The query is built with string concatenation, which allows SQL injection. Use parameters instead.
        «fn» is called inside the loop, so the total cost is quadratic in the number of «nouns».
        Move the network call out of the critical section; holding the lock during I/O is what makes it «adj».
        There is an off-by-one error in the pagination: the «ident» is incremented before the check.
        Never hard-code credentials in source code. Read them from the environment or a secret manager.
        Consider splitting «fn» into two functions: one that fetches the data and one that transforms it.
        The variable name «ident» is ambiguous; «ident»_by_id would make the intent clearer.
        Add a timeout to the HTTP client; the default waits forever when the «service» is unavailable.
        The retry loop has no backoff, so it hammers the «service» during an outage. Use exponential backoff with jitter.
        Here is a version that handles the empty case and closes the file even when an error occurs:
        With these changes the function runs in linear time and the tests below pass.
        """

    static let pythonBody = """
        def «fn»(«ident», «ident»=None, timeout=«num2»):¶    \"\"\"«verb» the «nouns» for the given «ident».\"\"\"¶    if not «ident»:¶        raise ValueError("«errmsg»")¶    «ident» = {}¶    for «ident» in «ident»:¶        «ident»[«ident».id] = «fn»(«ident»)¶    return «ident»
        class «type»Service:¶    def __init__(self, client, cache=None):¶        self.client = client¶        self.cache = cache or {}¶¶    def «fn»(self, «ident»_id):¶        if «ident»_id in self.cache:¶            return self.cache[«ident»_id]¶        resp = self.client.get(f"/v1/«ident»s/{«ident»_id}", timeout=«num2»)¶        resp.raise_for_status()¶        self.cache[«ident»_id] = resp.json()¶        return self.cache[«ident»_id]
        async def «fn»(session, «ident»s):¶    results = []¶    for «ident» in «ident»s:¶        try:¶            r = await session.post("«url»", json={"«ident»": «ident»})¶            results.append(await r.json())¶        except Exception:¶            pass¶    return results
        def «fn»(rows):¶    total = 0¶    for row in rows:¶        if row["status"] == "«adj»":¶            total += row["amount"] * (1 - row.get("discount", 0))¶    return round(total, 2)
        def «fn»(path):¶    with open(path) as f:¶        data = [line.strip().split(",") for line in f]¶    header, *rows = data¶    return [dict(zip(header, r)) for r in rows if len(r) == len(header)]
        @app.route("/api/«ident»s/<int:«ident»_id>", methods=["GET"])¶def «fn»(«ident»_id):¶    «ident» = db.session.query(«type»).get(«ident»_id)¶    if «ident» is None:¶        abort(404)¶    return jsonify(«ident».to_dict())
        logger.info("processed %d «nouns» in %.2fs", len(«ident»s), time.time() - start)
        for attempt in range(«num»):¶    try:¶        return client.«fn»(«ident», timeout=«num2»)¶    except TimeoutError:¶        time.sleep(2 ** attempt)¶raise RuntimeError("«errmsg»")
        """

    static let typescriptBody = """
        export async function «fn»(«ident»: «type»[], options: { limit?: number } = {}): Promise<«type»[]> {¶  const limit = options.limit ?? «num2»;¶  const out: «type»[] = [];¶  for (const «ident» of «ident»s.slice(0, limit)) {¶    const res = await fetch(`«url»/${«ident».id}`);¶    if (!res.ok) throw new Error("«errmsg»");¶    out.push(await res.json());¶  }¶  return out;¶}
        const «fn» = (items: LineItem[]): number =>¶  items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
        export class «type»Store {¶  private cache = new Map<string, «type»>();¶  constructor(private readonly client: ApiClient) {}¶¶  async get(id: string): Promise<«type» | undefined> {¶    if (this.cache.has(id)) return this.cache.get(id);¶    const «ident» = await this.client.get<«type»>(`/«ident»s/${id}`);¶    this.cache.set(id, «ident»);¶    return «ident»;¶  }¶}
        useEffect(() => {¶  «fn»(«ident»Id).then(set«type»).catch((e) => setError(e.message));¶}, []);
        router.post("/«ident»s", async (req, res) => {¶  const { «ident», «ident» } = req.body;¶  const result = await db.query(`INSERT INTO «table» («column») VALUES ('${«ident»}')`);¶  res.json(result.rows[0]);¶});
        interface «type» {¶  id: string;¶  «ident»: number;¶  status: "«adj»" | "«adj»";¶  createdAt: string;¶}
        """

    static let goBody = """
        func «fn»(ctx context.Context, «ident» []«type») (map[string]«type», error) {¶\tout := make(map[string]«type», len(«ident»))¶\tfor _, v := range «ident» {¶\t\tif err := ctx.Err(); err != nil {¶\t\t\treturn nil, err¶\t\t}¶\t\tout[v.ID] = v¶\t}¶\treturn out, nil¶}
        func (s *«type»Service) «fn»(ctx context.Context, id string) (*«type», error) {¶\ts.mu.Lock()¶\tdefer s.mu.Unlock()¶\tresp, err := s.client.Get(fmt.Sprintf("«url»/%s", id))¶\tif err != nil {¶\t\treturn nil, fmt.Errorf("«fn»: %w", err)¶\t}¶\tdefer resp.Body.Close()¶\tvar v «type»¶\treturn &v, json.NewDecoder(resp.Body).Decode(&v)¶}
        type «type» struct {¶\tID        string    `json:"id"`¶\tAmount    int64     `json:"amount_cents"`¶\tStatus    string    `json:"status"`¶\tCreatedAt time.Time `json:"created_at"`¶}
        rows, err := db.QueryContext(ctx, "SELECT id, «column» FROM «table» WHERE «column» = $1", «ident»)¶if err != nil {¶\tlog.Printf("query failed: %v", err)¶}¶defer rows.Close()
        for i := 0; i <= len(«ident»); i++ {¶\ttotal += «ident»[i].Amount¶}
        """

    static let javaBody = """
        public List<«type»> «fn»(List<«type»> «ident»s) {¶    List<«type»> result = new ArrayList<>();¶    for («type» «ident» : «ident»s) {¶        if («ident».getStatus().equals("«adj»")) {¶            result.add(«ident»);¶        }¶    }¶    return result;¶}
        @Transactional¶public «type» «fn»(Long id, «type»Request request) {¶    «type» entity = repository.findById(id).orElseThrow(() -> new NotFoundException("«errmsg»"));¶    entity.setAmount(request.getAmount());¶    return repository.save(entity);¶}
        try {¶    «ident» = client.«fn»(«ident»);¶} catch (Exception e) {¶    // ignore¶}
        String sql = "SELECT * FROM «table» WHERE «column» = '" + «ident» + "'";¶ResultSet rs = stmt.executeQuery(sql);
        """

    static let sqlAsk = """
        Show me the «metric» per «dimension» for the last «num2» days.
        Which «nouns» had the highest «metric» in «month»? Top «num2» please.
        How many «nouns» were «adj» each week since «month» «num2»?
        Compare «metric» between this quarter and last quarter, split by «dimension».
        I need a list of customers whose «column» is null but who paid more than «money» last month.
        Why is this query so slow? It scans the whole «table» table.
        Find duplicate rows in «table» by «column» and keep the most recent one.
        Calculate the rolling «num2»-day average of «metric» by «dimension».
        """

    static let sqlQuery = """
        SELECT «column», COUNT(*) AS n, SUM(amount_cents) / 100.0 AS revenue¶FROM «table» t¶JOIN customers c ON c.id = t.customer_id¶WHERE t.created_at >= NOW() - INTERVAL '«num2» days'¶  AND t.status = '«adj»'¶GROUP BY «column»¶ORDER BY revenue DESC¶LIMIT «num2»;
        WITH weekly AS (¶  SELECT date_trunc('week', «column») AS week, «column», COUNT(DISTINCT user_id) AS users¶  FROM «table»¶  WHERE «column» >= DATE '2025-«num2»-01'¶  GROUP BY 1, 2¶)¶SELECT week, «column», users,¶       users - LAG(users) OVER (PARTITION BY «column» ORDER BY week) AS delta¶FROM weekly¶ORDER BY week, «column»;
        SELECT c.id, c.email, SUM(p.amount_cents) AS paid¶FROM customers c¶LEFT JOIN payments p ON p.customer_id = c.id AND p.paid_at >= date_trunc('month', NOW()) - INTERVAL '1 month'¶WHERE c.«column» IS NULL¶GROUP BY c.id, c.email¶HAVING SUM(p.amount_cents) > «num4»00;
        DELETE FROM «table» a¶USING «table» b¶WHERE a.«column» = b.«column»¶  AND a.created_at < b.created_at;
        CREATE INDEX CONCURRENTLY idx_«table»_«column» ON «table» («column», created_at DESC);
        SELECT «column», AVG(«column») OVER (PARTITION BY «column» ORDER BY day ROWS BETWEEN «num» PRECEDING AND CURRENT ROW) AS rolling_avg¶FROM daily_«table»¶ORDER BY «column», day;
        EXPLAIN (ANALYZE, BUFFERS)¶SELECT * FROM «table» WHERE lower(«column») = '«adj»' AND created_at > NOW() - INTERVAL '«num» hours';
        """

    static let sqlExplain = """
        The query joins «table» to customers on customer_id, filters to the last «num2» days and groups by «column».
        The window function LAG compares each week with the previous one within the same «dimension».
        An index on («column», created_at) lets PostgreSQL avoid the sequential scan you see in the plan.
        Note that the lower() call prevents the planner from using a plain btree index; add an expression index or store the value normalized.
        Rows with a NULL «column» are excluded by the inner join; use a LEFT JOIN if you want to keep them.
        Run it first on a staging copy, since DELETE ... USING removes rows permanently.
        Amounts are stored in cents, so the query divides by 100.0 to return a decimal value.
        If the table is large, build the index CONCURRENTLY to avoid blocking writes.
        """

    static let ddlColumn = """
        «column» TEXT NOT NULL
        «column» BIGINT
        «column» TIMESTAMPTZ NOT NULL DEFAULT now()
        «column» NUMERIC(12, 2)
        «column» BOOLEAN DEFAULT false
        «column» UUID REFERENCES «table»(id)
        """

    static let docSentence = """
        The «adj» «noun» will be reviewed by «docnoun» «deadline».
        «connector» the «metric» grew by «pct» compared with the previous quarter, driven mainly by «city».
        «docnoun» agreed to «verb» the «adj» «nouns» before the end of «month».
        Total spend on «nouns» reached «money», which is «pct» above the approved budget.
        The team identified «num» «adj» risks, the most serious being the dependency on a single «noun».
        «connector» customers in «country» asked for a «adj» «noun» with local invoicing.
        The «topic» remains on track, although «num2» of the «num2» milestones slipped by one sprint.
        Headcount increased from «num3» to «num3», with most new hires in «city».
        We recommend that «docnoun» «verb» the «noun» and «verb» the «adj» «nouns» «adv».
        The pilot with «company» showed a «pct» reduction in manual «nouns».
        Data from the «adj» «noun» is retained for «num2» months and then deleted «adv».
        «connector» the «service» outage on «month» «num2» affected «num4» customers for «dur».
        The vendor assessment rated «company» as «risk» risk because of «adj» «nouns».
        The proposal is to «verb» the «noun» in «city» and «verb» «nouns» from «country».
        Open question: who owns the «adj» «noun» after the migration?
        The forecast assumes «pct» growth in «metric» and a stable exchange rate.
        «docnoun» raised concerns about «adj» «nouns» and asked for a written plan «deadline».
        Revenue from «adj» «nouns» was «money» in «month», up from «money» a year earlier.
        All «nouns» must be «adj» and approved by «docnoun» before they are published.
        The audit found that «num2» «nouns» lacked a «adj» «noun», which must be fixed «deadline».
        Employees may «verb» «nouns» only through the approved «product».
        «connector» the new «noun» reduces the time to «verb» a «noun» from «dur» to «dur».
        The committee will meet again on «weekday» «month» «num2» in «city» to «verb» the «topic».
        Usage of AI assistants grew to «num4» weekly users, with «pct» of requests coming from «docnoun».
        The «adj» policy applies to every «noun» that contains personal data or payment information.
        The estimated cost of the «topic» is «money» over three years, including «money» for «nouns».
        """

    static let meetingLine = """
        «first»: I think we should «verb» the «noun» first, otherwise «docnoun» will push back.
        «first»: Agreed. Can we get the numbers for «metric» «deadline»?
        «first»: The «service» issue last «weekday» cost us about «dur» of downtime.
        «first»: I will take the action to «verb» the «adj» «nouns».
        «first»: Do we have budget for this? Last time we were «money» over.
        «first»: Let's park that and come back to it next week.
        «first»: Customers in «country» keep asking about the «adj» «noun».
        «first»: From the legal side, the «noun» needs a «adj» review before we sign.
        «first»: Quick update on the «topic»: we are about «pct» done.
        «first»: Sorry, I was on mute. I said the «noun» is «adj» for now.
        «first»: Can someone share the «adj» «noun» in the channel after the call?
        «first»: My concern is that «num2» «nouns» are still «adj».
        «first»: «prose»
        «first»: «prose» «prose»
        «first»: «prose»
        «first»: Right. «prose»
        """

    static let contractClause = """
        «num».«num» «party» shall «verb» all «nouns» within «num2» days of a written request.
        «num».«num» This Agreement commences on the Effective Date and continues for «num2» months unless terminated earlier in accordance with Clause «num».
        «num».«num» «party» may terminate this Agreement for convenience by giving not less than «num2» days' written notice.
        «num».«num» The total liability of «party» under this Agreement shall not exceed the fees paid in the «num2» months preceding the claim.
        «num».«num» «party» shall process Personal Data only on documented instructions from «party», including with regard to transfers to «country».
        «num».«num» Fees are payable within «num2» days of the invoice date. Late payments bear interest at «num»% per annum.
        «num».«num» Each party shall keep the Confidential Information of the other party secret and use it only to «verb» its obligations.
        «num».«num» «party» shall notify «party» of any Personal Data Breach without undue delay and in any event within «num2» hours.
        «num».«num» This Agreement is governed by the laws of «country», and the courts of «city» have exclusive jurisdiction.
        «num».«num» «prose» «prose»
        «num».«num» «party» shall «verb» the «adj» «nouns». «prose»
        «num».«num» «party» shall maintain insurance cover of at least «money» for the duration of this Agreement.
        """

    static let summaryAsk = """
        Summarize the following document in «num» bullet points for «docnoun»:
        Please write a short summary of this meeting transcript, with decisions and action items:
        TL;DR this for me, I only have two minutes:
        Summarize the key obligations and risks in this contract excerpt:
        Give me an executive summary of the following report (max «num3» words):
        What are the main takeaways from this document? Highlight anything about «topic».
        """

    static let summaryBullet = """
        - «metric» grew «pct» quarter over quarter, mostly in «city».
        - Decision: «verb» the «adj» «noun» «deadline» (owner: «first»).
        - Risk: dependency on «company» for «nouns» («risk»).
        - Budget: «money» approved, «money» still pending with «docnoun».
        - Action: «first» to «verb» the «nouns» and report back on «weekday».
        - The «topic» is on track; «num» milestones remain.
        - Open question: ownership of the «adj» «noun» after the migration.
        - Termination: «num2» days' notice; liability capped at «num2» months of fees.
        - Personal data may be transferred to «country» only with safeguards.
        - Next review: «weekday», «month» «num2».
        - «prose»
        - «prose»
        - «prose»
        - «prose»
        - «prose»
        - «prose»
        - «prose» «prose»
        - «prose» «prose»
        """

    static let logLine = """
        «date»T«time»Z ERROR [«service»] request failed: «errmsg» request_id=«uuid» host=«host» duration_ms=«num4»
        «date»T«time»Z WARN  [«service»] retrying call to «service» (attempt «num»/5) after «ms»ms: «errmsg»
        «date»T«time»Z INFO  [«service»] GET /v1/«nouns»?page=«num» 200 «ms»ms bytes=«num4» client=«ip»
        «date»T«time»Z INFO  [«service»] POST /v1/«nouns» 201 «ms»ms tenant=«tenant» request_id=«uuid»
        «date»T«time»Z ERROR [«service»] pool exhausted: «num2» of «num2» connections in use (host=«host»)
        «date»T«time»Z WARN  [«service»] slow query («num4»ms): SELECT * FROM «table» WHERE «column» = $1
        «date»T«time»Z INFO  [«service»] consumer lag partition=«num» lag=«num4» topic=«nouns».events
        «date»T«time»Z ERROR [«service»] panic: runtime error: index out of range [«num»] with length «num»
        «date»T«time»Z WARN  [«service»] circuit breaker OPEN for «service» after «num2» consecutive failures
        «date»T«time»Z INFO  [«service»] deployed version «ver» (commit «sha») to «host»
        «date»T«time»Z ERROR [«service»] upstream 503 from «url» after «ms»ms
        «date»T«time»Z DEBUG [«service»] cache miss key=«ident»:«hex8» ttl=«num3»s
        «date»T«time»Z WARN  [«service»] memory usage at «pct» of limit on «host»
        «date»T«time»Z INFO  [«service»] health check ok latency=«ms»ms
        «date»T«time»Z INFO  [«service»] «prose» request_id=«uuid» user_id=«num4»«num3»
        «date»T«time»Z WARN  [«service»] «prose» trace_id=«sha»
        «date»T«time»Z ERROR [«service»] «errmsg» at «fn» («filename»:«num3») request_id=«uuid»
        «date»T«time»Z ERROR [«service»] job «fn» failed: «errmsg» (retries exhausted)
        """

    static let logAsk = """
        Here are the logs from «service» around the incident. What is the root cause?
        We got paged for high error rates on «service» at «time» UTC. Can you find what happened?
        Please summarize these logs and tell me which service failed first:
        Latency on «product» jumped to «num4»ms p95. Logs below, any idea?
        Explain these errors to me like I am new to the team:
        """

    static let logAnswer = """
        The first error appears in «service» at «time», about «num2» seconds before the alerts fired, so it is the most likely origin.
        The connection pool on «host» was exhausted, which made every dependent call wait for a free connection and eventually time out.
        Errors in «service» are a symptom: they follow the retries against «service» and stop once the circuit breaker opens.
        The deploy of version «ver» at «time» coincides with the start of the errors; rolling it back is the fastest mitigation.
        The slow query on «table» without an index on «column» explains the latency increase.
        Customer impact: roughly «pct» of requests failed for «dur», mainly in «city».
        Next step: run `kubectl logs deploy/«service» --since=30m | grep -c «errmsg»` to confirm the error rate has dropped.
        I recommend adding an alert on pool saturation and setting a statement timeout of «num2» seconds.
        1. Roll back «service» to the previous version.¶2. Increase the pool size on «host» temporarily.¶3. Add the missing index on «table»(«column»).
        """

    static let generalAsk = """
        What is the difference between a «noun» and a «noun» in our «product»?
        Can you explain how to «action»? Step by step please.
        Write a short announcement for the team about the «topic».
        How many vacation days do I get after «num» years?
        Draft a polite email to «company» asking for the «adj» «noun» «deadline».
        What are best practices to «verb» «nouns» securely?
        Give me «num» ideas for a team offsite in «city».
        Can you rewrite this paragraph to sound more «adj»? «connector» our «metric» improved by «pct» last quarter.
        Explain «topic» to a new employee in simple terms.
        Write a LinkedIn post about our «adj» «product» launch in «country».
        What should I prepare for the meeting about the «topic» on «weekday»?
        Translate "the «noun» will be «adj» «deadline»" into German and French.
        """

    static let generalAnswer = """
        Here is a short overview of how to «action»:¶1. Open the «product» and go to Settings.¶2. Select «area» and click "«verb»".¶3. Confirm the change; it takes effect «adv».
        A «noun» groups related «nouns», while a «noun» controls who can «verb» them. In practice most teams only need the first.
        Subject: «topic»¶¶Hi team,¶¶I am happy to share that the «topic» is moving forward. Starting «weekday», we will «verb» the «adj» «nouns», and «first» will lead the rollout.
        Sure! Here are a few ideas: a cooking class in «city», a half-day hike followed by lunch, or an escape room challenge for the whole team.
        According to the «adj» policy, employees receive «num2» days per year, increasing by one day after every «num» years of service.
        Dear «first»,¶¶I hope you are well. Could you please send us the «adj» «noun» «deadline»? We need it to «verb» the «nouns» for «docnoun».¶¶Many thanks,
        Best practices: use a secret manager, rotate credentials every «num2» days, restrict access by role, and log every access for audit.
        «connector» it helps to prepare three things: the current «metric», the open risks, and a clear ask for «docnoun».
        German: "Der «noun» wird «deadline» «adj» sein." French: "Le «noun» sera «adj» «deadline»."
        We are thrilled to announce the launch of our «adj» «product» in «country»! It helps teams «verb» their «nouns» «adv» and securely.
        In simple terms, the «topic» describes how we «verb» «nouns» and who is responsible at each step.
        """

    static let followUp = """
        Can you make it shorter?
        Thanks! Now do the same for the «product».
        Could you add an example?
        That is not quite right, the «noun» is «adj». Try again.
        Great, please format it as a table.
        What about customers in «country»?
        """

    static let extractAsk = """
        Extract vendor, invoice_number, invoice_date, due_date, currency and total from this invoice. Schema: {"vendor": string, "invoice_number": string, "invoice_date": string, "due_date": string, "currency": string, "total": number}
        From the email below, extract the lead's name, company, role, budget and timeline as JSON.
        Pull out every order id, amount and status mentioned in this message as a JSON array.
        """

    static let invoiceLine = """
        INVOICE «orderid»¶«company»¶«num3» «last» Street, «city»¶Invoice date: «date»¶Due date: «date»
        «num2» x «adj» «noun» license @ «money» = «money»
        Professional services («num2» hours) «money»
        Subtotal: «money»¶VAT («num2»%): «money»¶Total due: «money»
        Payment terms: net «num2» days. Please quote «orderid» on your remittance.
        Hi «first», as discussed on «weekday», we are evaluating «nouns» for «num3» people. Budget is around «money» and we want to decide «deadline».
        I am the head of «area» at «company» and we currently use spreadsheets to «verb» our «nouns».
        Order «orderid» was «adj» («money»), order «orderid» is still pending.
        """

    static let leadEmail = """
        {"name": "«first» «last»", "company": "«company»", "role": "Head of «area»", "budget": «num4»0, "timeline": "«deadline»"}
        {"vendor": "«company»", "invoice_number": "«orderid»", "invoice_date": "«date»", "due_date": "«date»", "currency": "EUR", "total": «num4».«num2»}
        [{"order_id": "«orderid»", "amount": «num3».«num2», "status": "«adj»"}, {"order_id": "«orderid»", "amount": «num3».«num2», "status": "pending"}]
        """

    static let embeddingChunk = """
        «topic»: «connector» the «adj» «noun» is reviewed by «docnoun» every «month». Owners must «verb» «nouns» «deadline».
        How to «action»: open the «product», select «area» and follow the steps on screen. Admin rights are required.
        FAQ: Why does the «product» «symptom»? This usually means the «noun» is «adj». Try to «verb» it again.
        Section «num».«num»: «party» shall «verb» all «nouns» within «num2» days of a written request.
        Release notes «ver»: fixed an issue where the «product» «symptom»; improved «metric» reporting by «dimension».
        «first» «last», Head of «area» at «company», «city». Interested in «nouns» for «num3» users.
        """

    static let mcpResultLine = """
        #«num4» «adj» «noun» in «product» «symptom» (opened by «first», «num» comments)
        «filename»: line «num3»: «fn»(«ident»)
        «orderid» | «adj» | «money» | «date»
        {"id": "«orderid»", "status": "«adj»", "amount": «num3».«num2», "customer": "«company»"}
        «first» «last» («area»): «connector» the «noun» is «adj» now.
        «date»T«time»Z «first»: can someone «verb» the «noun» for «company»?
        """

    static let multilingual = """
        Hallo, seit «weekday» funktioniert der Export nicht mehr. Können Sie das bitte prüfen? Viele Grüße aus «city»
        Bonjour, je n'arrive pas à télécharger la facture de «month». Merci de votre aide, cordialement.
        Hola, necesito cambiar la dirección de facturación de nuestra cuenta. ¿Me pueden ayudar? Gracias.
        Olá, o relatório de «month» está com valores errados. Poderiam verificar? Obrigado.
        こんにちは。請求書のダウンロードができません。確認をお願いします。
        Ciao, il pagamento è stato addebitato due volte. Potete controllare? Grazie mille.
        Hej! Vi behöver hjälp att flytta arbetsytan till EU-regionen. Tack på förhand 🙂
        """

    static let piiEmail = """
        You can reach me at «pii» if that is easier.
        Please send the confirmation to «pii» and cc my manager.
        My colleague «first» («pii») reported the same problem.
        The invoice should go to «pii» from now on.
        Contact: «first» «last» <«pii»>
        """

    static let piiPhone = """
        Feel free to call me on «pii» between 9 and 5.
        My phone number is «pii», the one on file is outdated.
        Please call our office at «pii» if you need more details.
        Mobile: «pii»
        """

    static let piiCard = """
        The charge was on my card «pii», expiry «num2»/2«num».
        Please refund to the card ending in the number «pii».
        Card used: «pii» (the corporate card).
        """

    static let piiIBAN = """
        Please wire the refund to our account, IBAN «pii».
        Our bank details changed, the new IBAN is «pii».
        Beneficiary: «company», IBAN: «pii», reference «orderid».
        """

    static let piiAPIKeyProse = """
        I think the problem is our key, we use «pii» in production.
        Here is the API key we configured, maybe it is wrong: «pii»
        """

    static let piiAPIKeyCode = """
        client = Client(api_key="«pii»", timeout=«num2»)
        const apiKey = "«pii»"; // move to env later
        export AUTH_TOKEN=«pii»
        """

    static let piiAPIKeyLog = """
        «date»T«time»Z DEBUG [«service»] outgoing request headers: Authorization: Bearer «pii»
        """
}

extension T {
    static let pythonHeader = """
        def «fn»(«variable», «variable»=None):
        def «fn»(self, «variable»: «type», «variable»: int = «num2») -> «type»:
        async def «fn»(«variable», *, timeout=«num2»):
        def test_«fn»_«adj»_«variable»():
        @retry(attempts=«num»)¶def «fn»(client, «variable»):
        """

    static let pythonStatement = """
        «variable» = «fn»(«variable», «variable»)
        «variable» = [«variable» for «variable» in «variable» if «variable».status == "«adj»"]
        if «variable» is None:¶        raise ValueError("«prose»")
        # «prose»
        logger.info("«prose»", extra={"«variable»": «variable»})
        for «variable» in «variable»:¶        «variable».append(«fn»(«variable»))
        «variable»["«variable»"] = «variable».get("«variable»", «num2»)
        assert «fn»(«variable») == «num3», "«prose»"
        with open("«filename»") as «variable»:¶        «variable» = json.load(«variable»)
        try:¶        «variable» = client.«fn»(«variable»_id=«variable».id)¶    except «type»Error as exc:¶        logger.warning("«fn» failed: %s", exc)
        «variable» = sum(x.amount for x in «variable») * «num».«num2»
        return {"«variable»": «variable», "«variable»": len(«variable»)}
        «variable» = datetime.now(timezone.utc) - timedelta(days=«num2»)
        «variable» = db.execute("SELECT «column» FROM «table» WHERE «column» = %s", («variable»,)).fetchall()
        """

    static let typescriptHeader = """
        export function «fn»(«variable»: «type», «variable»?: number): «type»[] {
        async function «fn»(«variable»: string[], opts: { «variable»: boolean }): Promise<void> {
        const «fn» = async («variable»: «type»): Promise<«type» | null> => {
        it("should «verb» the «adj» «noun»", async () => {
        export class «type»«type»Handler {¶  handle(«variable»: «type») {
        """

    static let typescriptStatement = """
        const «variable» = await «fn»(«variable», { «variable»: «num2» });
        // «prose»
        if (!«variable») {¶    throw new Error("«prose»");¶  }
        const «variable» = «variable».filter((x) => x.«variable» > «num3»).map((x) => x.«variable»);
        console.warn(`«fn»: ${«variable».length} «nouns» skipped`);
        for (const «variable» of «variable») {¶    «variable».push(await «fn»(«variable».id));¶  }
        expect(await «fn»(«variable»)).toEqual({ «variable»: «num2», status: "«adj»" });
        let «variable»: Record<string, «type»> = {};
        return «variable».reduce((acc, x) => acc + x.«variable» * x.«variable», 0);
        const res = await fetch("«url»", { method: "POST", body: JSON.stringify({ «variable» }) });
        «variable».set(«variable».id, { ...«variable», updatedAt: Date.now() });
        """

    static let goHeader = """
        func «fn»(ctx context.Context, «variable» *«type», «variable» int) error {
        func (s *«type»Service) «fn»(«variable» []«type») ([]«type», error) {
        func Test«type»«type»(t *testing.T) {
        func «fn»(w http.ResponseWriter, r *http.Request) {
        """

    static let goStatement = """
        «variable», err := s.«fn»(ctx, «variable»)¶\tif err != nil {¶\t\treturn fmt.Errorf("«prose»: %w", err)¶\t}
        // «prose»
        for _, «variable» := range «variable» {¶\t\t«variable» = append(«variable», «variable».«type»)¶\t}
        log.Printf("«fn»: «noun» %s is «adj»", «variable».ID)
        if len(«variable») > «num2» {¶\t\t«variable» = «variable»[:«num2»]¶\t}
        «variable» := time.Now().Add(-«num2» * time.Hour)
        ctx, cancel := context.WithTimeout(ctx, «num2»*time.Second)¶\tdefer cancel()
        http.Error(w, "«prose»", http.StatusBadRequest)
        «variable» := map[string]int{"«variable»": «num3», "«variable»": «num2»}
        """

    static let javaHeader = """
        public «type» «fn»(«type» «variable», int «variable») {
        private List<«type»> «fn»(Map<String, «type»> «variable») throws IOException {
        @Test¶void «fn»Returns«type»() {
        public static Optional<«type»> «fn»(String «variable») {
        """

    static let javaStatement = """
        «type» «variable» = «variable»Repository.findBy«type»(«variable»);
        // «prose»
        if («variable» == null) {¶        throw new IllegalArgumentException("«prose»");¶    }
        log.info("«fn» processed {} «nouns»", «variable».size());
        for («type» «variable» : «variable») {¶        «variable».add(«variable».get«type»());¶    }
        assertEquals(«num3», «fn»(«variable»).size());
        BigDecimal «variable» = «variable».multiply(BigDecimal.valueOf(«num2»));
        return «variable».stream().filter(x -> x.is«type»()).collect(Collectors.toList());
        """
}
