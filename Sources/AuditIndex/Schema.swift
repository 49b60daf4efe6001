import Synchronization

/// The index schema, as numbered migrations (see `Connection.migrate`).
///
/// Design (why it is fast to write and small on disk):
/// - Repeated strings (tenant, team, user, key id, kind, model, provider, error class, backend,
///   region, metadata keys and values) are stored once in `dict` and referenced by small
///   per-kind integers, so a record row is mostly 1-3 byte integers.
/// - `record` is a rowid table keyed by `position << 8 | region`: appends land at the end,
///   re-inserting a record is a no-op (`INSERT OR IGNORE`), the key takes 4 bytes up to 8M
///   records per region, and every secondary index already ends with it, which makes it the
///   tie-breaker of the result order (ts, position, region).
/// - Indexes on `record`: (ts), (model, ts), (tenant, ts). Keys whose values are scattered are
///   in posting tables (WITHOUT ROWID, the whole row is the key), prefixed by the record's block
///   (2^16 positions of one region, see `FieldEncoding.defaultBlockBits`): `by_user` (block, user,
///   ts, rid), `by_id` (block, 32-bit hash of the id, rid), `by_trace` (block, 32-bit hash of the
///   trace id, rid) and `meta` (block, key, value, ts, rid). Other filters are checked on the
///   rows found.
/// - Why posting tables rather than indexes: SQLite inserts a row into all of a table's indexes
///   at once, so index entries arrive in record order, each on a random page of its key range.
///   The writer fills posting tables separately, each sorted by key (see Writer.swift), which
///   halves the cost of these inserts. Queries join them to `record` on the row id, exactly as
///   an index lookup does.
/// - Why blocks: SQLite's WAL writes every page a transaction dirties. A key range whose keys are
///   scattered (hashes, 2,000 users, 10,000 customers) has a batch's inserts land on pages all
///   over it, so without blocks each batch rewrites most of it and the cost per record grows
///   with the index. With the block first in the key, inserts land in the current block's few
///   hundred pages. Queries on these tables visit the blocks whose time range (table `block`)
///   overlaps theirs, newest first, and stop as soon as the page is full.
/// - `meta`: `customer_id=X newest first` is one backward range scan per block. Each record row
///   also keeps its pairs in a varint blob so an entry is rebuilt without touching `meta`.
/// - `region_state` keeps, per region, the end of the contiguous prefix of indexed positions
///   (catch-up resumes there) and one past the highest position indexed (positions from there on
///   are known to be new, so the writer needs no existence check for them).
/// - Cost is stored in 1e-9 USD and latencies in µs as integers (exact sums, 1-4 bytes each).
enum Schema {
    /// `PRAGMA application_id` of a gatelog index ("GLIX").
    static let applicationID: Int64 = 0x474C_4958

    static let migrations: [Migration] = [
        Migration(version: 1, name: "records, dictionary, metadata", sql: [
            """
            CREATE TABLE dict (
                kind INTEGER NOT NULL,
                id INTEGER NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (kind, id)
            ) WITHOUT ROWID
            """,
            "CREATE UNIQUE INDEX dict_value ON dict (kind, value)",
            "CREATE TABLE setting (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
            """
            CREATE TABLE region_state (
                region INTEGER PRIMARY KEY,
                next_position INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE record (
                rid INTEGER PRIMARY KEY,
                ts INTEGER NOT NULL,
                blk INTEGER NOT NULL,
                tenant INTEGER, team INTEGER, usr INTEGER, apikey INTEGER, kind INTEGER,
                model INTEGER, provider INTEGER, status INTEGER, err INTEGER,
                backend INTEGER, fallback INTEGER,
                cost INTEGER, tin INTEGER, tout INTEGER, lat INTEGER, ttft INTEGER, itl INTEGER,
                trace,
                idh INTEGER NOT NULL,
                meta BLOB,
                seg INTEGER NOT NULL, foff INTEGER NOT NULL, rif INTEGER NOT NULL,
                id TEXT NOT NULL,
                chain BLOB NOT NULL,
                trh INTEGER
            )
            """,
            "CREATE INDEX record_ts ON record (ts)",
            "CREATE INDEX record_user ON record (blk, usr, ts)",
            "CREATE INDEX record_model ON record (model, ts)",
            "CREATE INDEX record_tenant ON record (tenant, ts)",
            "CREATE INDEX record_idh ON record (blk, idh)",
            "CREATE INDEX record_trace ON record (blk, trh) WHERE trh IS NOT NULL",
            """
            CREATE TABLE meta (
                blk INTEGER NOT NULL,
                k INTEGER NOT NULL,
                v INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                rid INTEGER NOT NULL,
                PRIMARY KEY (blk, k, v, ts, rid)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE block (
                blk INTEGER PRIMARY KEY,
                ts_min INTEGER NOT NULL,
                ts_max INTEGER NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "full-text search", sql: [
            // Rows exist only for records indexed with text (full-text search on for their region).
            // The text is stored (not contentless) so that a purge can delete it.
            "CREATE VIRTUAL TABLE fts USING fts5 (text, tokenize = 'unicode61')",
        ]),
        Migration(version: 3, name: "posting tables for users, ids and trace ids; region ends", sql: [
            // The scattered keys move from indexes of `record` to tables of their own, which the
            // writer fills in key order (see Writer.swift). Same keys, same order, same size.
            """
            CREATE TABLE by_user (
                blk INTEGER NOT NULL, usr INTEGER NOT NULL, ts INTEGER NOT NULL, rid INTEGER NOT NULL,
                PRIMARY KEY (blk, usr, ts, rid)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE by_id (
                blk INTEGER NOT NULL, idh INTEGER NOT NULL, rid INTEGER NOT NULL,
                PRIMARY KEY (blk, idh, rid)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE by_trace (
                blk INTEGER NOT NULL, trh INTEGER NOT NULL, rid INTEGER NOT NULL,
                PRIMARY KEY (blk, trh, rid)
            ) WITHOUT ROWID
            """,
            "INSERT INTO by_user SELECT blk, usr, ts, rid FROM record WHERE usr IS NOT NULL ORDER BY 1, 2, 3, 4",
            "INSERT INTO by_id SELECT blk, idh, rid FROM record ORDER BY 1, 2, 3",
            "INSERT INTO by_trace SELECT blk, trh, rid FROM record WHERE trh IS NOT NULL ORDER BY 1, 2, 3",
            "DROP INDEX record_user",
            "DROP INDEX record_idh",
            "DROP INDEX record_trace",
            "ALTER TABLE record DROP COLUMN idh",
            "ALTER TABLE record DROP COLUMN trh",
            // One past the highest position indexed per region: positions from there on are new,
            // so the writer inserts them without asking SQLite to skip existing rows.
            "ALTER TABLE region_state ADD COLUMN end_position INTEGER NOT NULL DEFAULT 0",
            "INSERT OR IGNORE INTO region_state (region, next_position) SELECT id, 0 FROM dict WHERE kind = 1",
            """
            UPDATE region_state SET end_position = max(region_state.next_position, e.position_end)
            FROM (SELECT rid & 255 AS region, max(rid >> 8) + 1 AS position_end FROM record GROUP BY 1) AS e
            WHERE e.region = region_state.region
            """,
        ]),
    ]

    /// Tables that must exist in a migrated index.
    static let requiredTables = ["dict", "setting", "region_state", "record", "meta", "block", "fts",
                                 "by_user", "by_id", "by_trace"]

    /// The columns read to rebuild an `IndexEntry`, in this order (see `AuditIndex.decodeEntry`).
    static let entryColumns = "r.rid, r.ts, " + entryColumnsAfterKey

    /// `entryColumns` without the leading row id and time, for queries that take those two from
    /// the metadata table (same values) so that SQLite sees the result already ordered.
    static let entryColumnsAfterKey = """
        r.tenant, r.team, r.usr, r.apikey, r.kind, r.model, r.provider, r.status, r.err, \
        r.backend, r.fallback, r.cost, r.tin, r.tout, r.lat, r.ttft, r.itl, r.trace, r.meta, r.seg, \
        r.foff, r.rif, r.id, r.chain
        """
}

/// Kinds of dictionary strings. Metadata values use `metadataValueBase + key id`, so that each
/// key numbers its values from 1 (a key with few values gets 1-byte ids).
enum DictKind: Int64, CaseIterable {
    case region = 1
    case tenant, team, user, apiKey, kind, model, provider, errorClass, backend, metadataKey

    static let metadataValueBase: Int64 = 1000

    static func metadataValue(key: Int64) -> Int64 { metadataValueBase + key }
}

/// In-memory cache of the dictionary (string <-> id per kind), shared by the readers. Bounded:
/// when it holds more than `capacity` strings it is emptied and refilled on demand from the
/// `dict` table. Entries come from committed data only (what a reader's snapshot shows), and
/// dictionary rows are never changed or deleted once committed, so an entry is never stale. The
/// writer keeps its own map (`WriterDictionary`), which also holds its open transaction's ids.
final class DictionaryCache: Sendable {
    private struct Key: Hashable {
        var kind: Int64
        var value: String
    }

    private struct Reference: Hashable {
        var kind: Int64
        var id: Int64
    }

    private struct Maps {
        var ids: [Key: Int64] = [:]
        var values: [Reference: String] = [:]
    }

    private let maps = Mutex(Maps())
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(capacity, 1024) }

    func id(kind: Int64, value: String) -> Int64? {
        maps.withLock { $0.ids[Key(kind: kind, value: value)] }
    }

    func value(kind: Int64, id: Int64) -> String? {
        maps.withLock { $0.values[Reference(kind: kind, id: id)] }
    }

    func remember(kind: Int64, value: String, id: Int64) {
        maps.withLock { maps in
            if maps.ids.count >= capacity {
                maps.ids.removeAll(keepingCapacity: true)
                maps.values.removeAll(keepingCapacity: true)
            }
            maps.ids[Key(kind: kind, value: value)] = id
            maps.values[Reference(kind: kind, id: id)] = value
        }
    }

    func removeAll() {
        maps.withLock { maps in
            maps.ids.removeAll()
            maps.values.removeAll()
        }
    }
}
