using System.Net;
using Gateway.Edge.Authentication;
using Gateway.Edge.Authorization;
using Gateway.Registry.Access;
using Gateway.Registry.Acl;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// The token server's state: the signing key (loaded once), the issuer and validator of access tokens, and the
/// refresh-token codec keyed from the cluster secret. Registered only when <c>Gateway:Token:SigningKey</c> is set.
/// </summary>
public sealed class TokenService : IDisposable
{
    /// <summary>The most resource scopes one token request may ask for.</summary>
    public const int MaxScopes = 64;

    private const string MachineAccountGeneration = "\0machine-account";

    private readonly TokenSigningKey _key;
    private readonly AclStore _acl;
    private readonly HtpasswdStore _users;
    private readonly AuthOptions _auth;

    /// <summary>Loads the key; throws naming the key when it cannot be used (the options validator has reported it first).</summary>
    public TokenService(IOptions<RegistryTokenOptions> options, IOptions<AuthOptions> auth, AclStore acl, HtpasswdStore users, FingerprintKey secret, TimeProvider time)
    {
        _auth = auth.Value;
        Options = options.Value;
        var load = TokenSigningKey.Load(Options.SigningKey ?? string.Empty, Options.Certificate);
        _key = load.Key ?? throw new InvalidOperationException($"{RegistryTokenOptions.SectionName}:SigningKey: {load.Error}");
        _acl = acl;
        _users = users;
        Issuer = new RegistryTokenIssuer(_key, Options, time);
        Validator = new RegistryTokenValidator(_key, Options, time);
        RefreshTokens = new RefreshTokenCodec(secret.Value.Span, time);
    }

    /// <summary>The settings.</summary>
    public RegistryTokenOptions Options { get; }

    /// <summary>Issues access tokens.</summary>
    public RegistryTokenIssuer Issuer { get; }

    /// <summary>Validates the access tokens the issuer made (the edge's token mode).</summary>
    public RegistryTokenValidator Validator { get; }

    /// <summary>Issues and validates refresh tokens.</summary>
    public RefreshTokenCodec RefreshTokens { get; }

    /// <summary>
    /// The generation of a user's refresh tokens: the user's current htpasswd hash, so a changed password or a
    /// removed entry invalidates every refresh token issued before; null for an unknown user. A machine account's
    /// refresh tokens have a fixed generation: its grain refuses them once it is revoked, expired or re-created.
    /// </summary>
    public string? Generation(string user) =>
        _auth.MachineAccountOf(user) is not null ? MachineAccountGeneration : _users.Current.Find(user)?.Hash;

    /// <summary>
    /// What the ACL grants of each requested scope (possibly nothing; never an error), within a machine account's
    /// <paramref name="ceiling"/> when there is one.
    /// </summary>
    public IReadOnlyList<AccessScope> Grant(string user, IReadOnlyList<AccessScope> requested, IPAddress? client, IReadOnlyList<string>? ceiling = null)
    {
        var acl = _acl.Current;
        var limit = ceiling is null ? null : ScopeCeiling.From(ceiling);
        var granted = new List<AccessScope>(requested.Count);
        foreach (var scope in requested)
        {
            var allowed = acl.AuthorizeScope(user, scope, Options.Service, client);
            granted.Add(limit is null ? allowed : limit.Limit(allowed));
        }

        return granted;
    }

    /// <summary>
    /// Whether a token's subject may still use it: a user still in the htpasswd file (so removing the entry ends its
    /// tokens at once, not when they expire), any machine account (its grain decides), the anonymous subject only while
    /// anonymous access is on.
    /// </summary>
    public bool SubjectExists(string subject) => subject.Length == 0
        ? _auth.Anonymous
        : _auth.MachineAccountOf(subject) is not null || _users.Current.Find(subject) is not null;

    /// <summary>False while no ACL is loaded: anonymous tokens are then never issued (an allow-all ACL would grant them everything).</summary>
    public bool HasAcl => !_acl.Current.IsAllowAll;

    /// <summary>Releases the key.</summary>
    public void Dispose() => _key.Dispose();
}
