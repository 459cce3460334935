namespace Gateway.Edge.Caching;

/// <summary>
/// The edge's cache of content-addressed answers (section <c>Gateway:Cache</c>): manifests fetched by digest and blob
/// <c>HEAD</c> answers, per (repository, digest), served from memory after the access gate has authorized the request.
/// Set it the same on every node: only nodes with the cache on publish the invalidations of <c>DELETE</c>s.
/// </summary>
public sealed class CacheOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Cache";

    /// <summary>
    /// Whether the cache is on. Default: false. Off by default because an out-of-band garbage collection of the
    /// registry (not a <c>DELETE</c> through the gateway) is only seen when an entry's <see cref="Ttl"/> runs out:
    /// until then a blob <c>HEAD</c> may still answer 200 and a push skip that layer (its manifest <c>PUT</c> then
    /// fails with <c>BLOB_UNKNOWN</c>, nothing is stored wrongly).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The most memory the entries may hold, in bytes (bodies, headers and keys, plus a fixed overhead per entry); the
    /// least recently used go first. Default: 64 MiB. Between 1 MiB and 16 GiB.
    /// </summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long an entry is served before the registry is asked again: the bound on staleness after an out-of-band
    /// garbage collection. Default: 5 minutes. Between 1 second and 1 day.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The largest answer kept, in bytes: a manifest bigger than this, or than an eighth of <see cref="MaxBytes"/>, is
    /// always fetched. 4 MiB, the manifest limit of registry 3 and of most registries.
    /// </summary>
    public const int MaxEntryBytes = 4 * 1024 * 1024;

    /// <summary>The largest entry kept with these settings.</summary>
    public long EntryLimit => Math.Min(MaxEntryBytes, MaxBytes / 8);
}
