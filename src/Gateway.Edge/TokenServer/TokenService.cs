using System.Net;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Authorize;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Access;
using Gateway.Registry.Acl;
using Gateway.Registry.Configuration;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// The token server's state: the signing key (loaded once), the issuer and validator of access tokens, and the
/// refresh-token codec keyed from the cluster secret. Registered only when <c>Gateway:Token:SigningKey</c> is set.
/// </summary>
public sealed class TokenService
{
    /// <summary>The most resource scopes one token request may ask for.</summary>
    public const int MaxScopes = 64;

    private const string MachineAccountGeneration = "\0machine-account";

    private readonly TokenSigningKey _key;
    private readonly byte[] _bindingKey;
    private readonly AclStore _acl;
    private readonly HtpasswdStore _users;
    private readonly AuthOptions _auth;

    /// <summary>Loads the key; throws naming the key when it cannot be used (the options validator has reported it first).</summary>
    public TokenService(IOptions<RegistryTokenOptions> options, IOptions<AuthOptions> auth, AclStore acl, HtpasswdStore users, FingerprintKey secret, TokenSigningKeys keys, TimeProvider time)
    {
        _auth = auth.Value;
        Options = options.Value;
        var load = keys.Load(Options);
        _key = load.Key ?? throw new ConfigurationException($"{RegistryTokenOptions.SectionName}:SigningKey: {load.Error}");
        _acl = acl;
        _users = users;
        Issuer = new RegistryTokenIssuer(_key, Options, time);
        Validator = new RegistryTokenValidator(_key, Options, time);
        RefreshTokens = new RefreshTokenCodec(secret.Value.Span, time);
        _bindingKey = System.Security.Cryptography.HMACSHA256.HashData(secret.Value.Span, "registry-gateway access-token credential binding"u8);
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
    /// The <c>cbd</c> claim of an access token issued now to <paramref name="user"/>: a keyed digest (cluster secret) of
    /// the user's htpasswd entry, so the token ends when the password changes or the entry goes, even if the user is
    /// added again; null for machine accounts (their grain decides) and the anonymous subject. Never the hash itself:
    /// a client can read its token.
    /// </summary>
    public string? CredentialBinding(string user)
    {
        if (user.Length == 0 || _auth.MachineAccountOf(user) is not null || _users.Current.Find(user) is not { } entry)
        {
            return null;
        }

        var digest = System.Security.Cryptography.HMACSHA256.HashData(_bindingKey, System.Text.Encoding.UTF8.GetBytes(user + "\n" + entry.Hash));
        return System.Buffers.Text.Base64Url.EncodeToString(digest.AsSpan(0, 16));
    }

    /// <summary>
    /// The <c>cbd</c> claim of an access token issued to a federated account (no htpasswd entry): a keyed digest that only
    /// this gateway can make, so <see cref="StillHolds"/> knows the token was issued for a federated login. Such a token
    /// ends with the CI token it was issued for (its expiry is capped at the CI token's <c>exp</c>).
    /// </summary>
    public string FederatedBinding(string user)
    {
        var digest = System.Security.Cryptography.HMACSHA256.HashData(_bindingKey, System.Text.Encoding.UTF8.GetBytes("federated\n" + user));
        return System.Buffers.Text.Base64Url.EncodeToString(digest.AsSpan(0, 16));
    }

    /// <summary>
    /// Whether a token's subject may still use it: the anonymous subject only while anonymous access is on; any machine
    /// account (its grain decides); a user only while the htpasswd entry the token was issued under is still there,
    /// unchanged (a removed user's tokens end at once, and stay ended if the user is added again); a federated account
    /// (no htpasswd entry) when the token carries <see cref="FederatedBinding"/>.
    /// </summary>
    public bool StillHolds(TokenClaims claims)
    {
        if (claims.Subject.Length == 0)
        {
            return _auth.Anonymous;
        }

        if (_auth.MachineAccountOf(claims.Subject) is not null)
        {
            return true;
        }

        var current = CredentialBinding(claims.Subject) ?? FederatedBinding(claims.Subject);
        return current is not null && claims.CredentialBinding is not null
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(current), System.Text.Encoding.ASCII.GetBytes(claims.CredentialBinding));
    }

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

    /// <summary>False while no ACL is loaded: anonymous tokens are then never issued (an allow-all ACL would grant them everything).</summary>
    public bool HasAcl => !_acl.Current.IsAllowAll;

    /// <summary>Whether the endpoint issues tokens without credentials (<see cref="AuthOptions.Anonymous"/>, with an ACL).</summary>
    public bool AnonymousAllowed => _auth.Anonymous && HasAcl;

    /// <summary>Releases the key.</summary>
}
