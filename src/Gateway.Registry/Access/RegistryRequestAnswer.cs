namespace Gateway.Registry.Access;

/// <summary>How the gate answers a request once it is authorized.</summary>
public enum RegistryRequestAnswer
{
    /// <summary>Forward it to the registry.</summary>
    Forward,

    /// <summary>
    /// Answer 404 <c>MANIFEST_UNKNOWN</c> without forwarding: a GET, HEAD or DELETE of a manifest whose reference is
    /// neither a tag nor a digest names no manifest (registry 2.8.2 answers 404, or a 500 naming its storage path
    /// for references such as <c>a:b</c>).
    /// </summary>
    ManifestUnknown,
}
