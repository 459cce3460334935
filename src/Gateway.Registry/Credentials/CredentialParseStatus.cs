namespace Gateway.Registry.Credentials;

/// <summary>What an <c>Authorization</c> header held.</summary>
public enum CredentialParseStatus
{
    /// <summary>No <c>Authorization</c> header.</summary>
    Missing,

    /// <summary>A header with another scheme (e.g. <c>Bearer</c>).</summary>
    OtherScheme,

    /// <summary>Basic, but not decodable: bad base64, no colon, over-long, not UTF-8, empty user.</summary>
    Malformed,

    /// <summary>Well-formed Basic credentials.</summary>
    Ok,
}
