namespace Gateway.Edge.Caching;

/// <summary>
/// A (repository, digest) pair of one kind: what an answer is immutable for, and what a <c>DELETE</c> invalidates. Never
/// a digest alone: a digest present in one repository says nothing about another.
/// </summary>
/// <param name="Kind">Manifest or blob.</param>
/// <param name="Repository">The repository, as the access gate read it.</param>
/// <param name="Digest">The digest, as the access gate read it.</param>
public readonly record struct ContentAddress(CachedResource Kind, string Repository, string Digest)
{
    /// <summary>The form sent between nodes: kind, repository and digest on three lines (none may hold a line break).</summary>
    public string ToWire() => $"{(Kind == CachedResource.Manifest ? 'm' : 'b')}\n{Repository}\n{Digest}";

    /// <summary>Reads <see cref="ToWire"/>; false for anything else.</summary>
    public static bool TryParseWire(string? text, out ContentAddress address)
    {
        address = default;
        var parts = text?.Split('\n');
        if (parts is not { Length: 3 } || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return false;
        }

        CachedResource? kind = parts[0] switch { "m" => CachedResource.Manifest, "b" => CachedResource.Blob, _ => null };
        if (kind is null)
        {
            return false;
        }

        address = new ContentAddress(kind.Value, parts[1], parts[2]);
        return true;
    }
}
