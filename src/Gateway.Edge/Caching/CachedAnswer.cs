using Microsoft.Extensions.Primitives;

namespace Gateway.Edge.Caching;

/// <summary>A registry's 200 answer as it reached the client, less the per-response headers (<c>Date</c>).</summary>
/// <param name="Headers">The registry's headers, in order, as YARP passed them on.</param>
/// <param name="Body">The body of a <c>GET</c>; null when the answer was to a <c>HEAD</c>.</param>
/// <param name="Expires">When the entry stops being served.</param>
public sealed record CachedAnswer(IReadOnlyList<KeyValuePair<string, StringValues>> Headers, byte[]? Body, DateTimeOffset Expires)
{
    /// <summary>What an entry costs besides its strings and body (objects, dictionary and list nodes).</summary>
    public const int Overhead = 256;

    /// <summary>The bytes this answer and its key hold, as counted against <see cref="CacheOptions.MaxBytes"/>.</summary>
    public long SizeWith(AnswerKey key)
    {
        long size = Overhead + (Body?.Length ?? 0) + 2L * (key.Accept.Length + key.Address.Repository.Length + key.Address.Digest.Length);
        foreach (var (name, values) in Headers)
        {
            size += 2L * name.Length + 32;
            foreach (var value in values)
            {
                size += 2L * (value?.Length ?? 0) + 24;
            }
        }

        return size;
    }
}
