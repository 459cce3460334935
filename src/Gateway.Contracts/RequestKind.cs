namespace Gateway.Contracts;

/// <summary>What a request is, as far as rate limits care.</summary>
[GenerateSerializer, Alias("gw.RequestKind")]
public enum RequestKind
{
    /// <summary>Any other <c>/v2/</c> request.</summary>
    Other = 0,

    /// <summary><c>GET</c> of a manifest: a pull, as Docker Hub counts it.</summary>
    ManifestGet = 1,

    /// <summary><c>HEAD</c> of a manifest: reports the pull budget without counting.</summary>
    ManifestHead = 2,
}
