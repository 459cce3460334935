using System.Net;
using Gateway.Registry.Access;

namespace Gateway.Registry.Acl;

/// <summary>One resource an account asks for, with what docker_auth's <c>match</c> conditions look at.</summary>
/// <param name="Account">The authenticated user name; empty for an anonymous client.</param>
/// <param name="Type">The resource type without its class: <c>repository</c> or <c>registry</c>.</param>
/// <param name="Name">The resource name: a repository name, or <c>catalog</c>.</param>
/// <param name="Service">The service the token is for (in the edge's basic mode: <c>Gateway:Token:Service</c>).</param>
/// <param name="ClientAddress">The client's address; null when unknown (then no <c>ip</c> rule matches).</param>
public sealed record AclRequest(string Account, string Type, string Name, string Service, IPAddress? ClientAddress)
{
    /// <summary>No labels: the labels of an account whose source has none (an htpasswd file, a machine account).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoLabels =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal).AsReadOnly();

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _labels = NoLabels;

    /// <summary>The account; never null.</summary>
    public string Account { get; init; } = Account ?? throw new ArgumentNullException(nameof(Account));

    /// <summary>The resource type; never null.</summary>
    public string Type { get; init; } = Type ?? throw new ArgumentNullException(nameof(Type));

    /// <summary>The resource name; never null.</summary>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>The service; never null.</summary>
    public string Service { get; init; } = Service ?? throw new ArgumentNullException(nameof(Service));

    /// <summary>
    /// The account's labels (docker_auth's <c>Labels</c>): name to values, e.g. <c>group</c> to the user's directory
    /// groups. Matched by a rule's <c>labels</c> condition and substituted for <c>${labels:name}</c>; empty by default.
    /// Label names are case-sensitive, as in docker_auth.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Labels
    {
        get => _labels;
        init => _labels = value ?? NoLabels;
    }

    /// <summary>
    /// The request for a resource of a scope. The type is taken without its class (<c>repository(plugin)</c> is
    /// matched as <c>repository</c>), as docker_auth splits the class off before matching.
    /// </summary>
    public static AclRequest For(
        string account,
        RegistryResource resource,
        string service,
        IPAddress? clientAddress,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return new AclRequest(account, resource.BaseType, resource.Name, service, clientAddress) { Labels = labels ?? NoLabels };
    }
}
