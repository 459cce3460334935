using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Contracts;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Acl;
using Gateway.Registry.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Admin;

/// <summary>
/// Machine accounts for CI robots: <c>POST /machine-accounts/{name}</c> creates one and answers its secret, once;
/// <c>GET</c> shows it (never the secret), <c>GET /machine-accounts</c> lists them all; <c>DELETE</c> revokes it and
/// every token issued to it. The secret is 256
/// random bits generated here; only its SHA-256 reaches the grain and its storage.
/// </summary>
public static partial class MachineAccountEndpoints
{
    /// <summary>The prefix of every machine-account secret (so secret scanners can recognise a leaked one).</summary>
    public const string SecretPrefix = "rgw_";

    private const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    /// <summary>Maps the endpoints on the admin group.</summary>
    public static RouteGroupBuilder MapMachineAccounts(this RouteGroupBuilder admin)
    {
        admin.MapGet("/machine-accounts", ListAsync);
        admin.MapPost("/machine-accounts/{name}", CreateAsync);
        admin.MapGet("/machine-accounts/{name}", (string name, IGrainFactory grains) =>
            !IsValidName(name) ? Task.FromResult(AdminResults.BadName()) : AdminResults.CallOrNotFoundAsync(() => grains.GetGrain<IMachineAccountGrain>(name).GetAsync(), NotFound));
        admin.MapDelete("/machine-accounts/{name}", (string name, IGrainFactory grains) =>
            !IsValidName(name) ? Task.FromResult(AdminResults.BadName()) : AdminResults.CallOrNotFoundAsync(() => grains.GetGrain<IMachineAccountGrain>(name).RevokeAsync(), NotFound));
        return admin;
    }

    /// <summary>True for a machine account name: lower-case letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, 1 to 64, starting and ending with a letter or digit.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    private static async Task<IResult> CreateAsync(string name, HttpRequest request, IGrainFactory grains, IOptions<AuthOptions> auth, TimeProvider time)
    {
        if (!IsValidName(name))
        {
            return AdminResults.BadName();
        }

        // The edge lifts Kestrel's body limit for blob uploads; a request to this endpoint is a few hundred bytes.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        MachineAccountRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<MachineAccountRequest>(request.Body, Json, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return AdminResults.Error("BAD_REQUEST", $"the body is not a machine account request: {ex.Message}", StatusCodes.Status400BadRequest);
        }
        catch (BadHttpRequestException)
        {
            return AdminResults.Error("BAD_REQUEST", $"the body is larger than {MaxBodyBytes} bytes", StatusCodes.Status400BadRequest);
        }

        string? scopeError = null;
        if (body is null || !ScopeCeiling.TryParse(body.Scopes, out _, out scopeError))
        {
            return AdminResults.Error("BAD_REQUEST", $"scopes: {scopeError ?? "required"}", StatusCodes.Status400BadRequest);
        }

        if (body.ExpiresInDays is < 1 or > MachineAccountRequest.MaxDays)
        {
            return AdminResults.Error("BAD_REQUEST", $"expiresInDays must be between 1 and {MachineAccountRequest.MaxDays}", StatusCodes.Status400BadRequest);
        }

        if (body.Description is { Length: > 256 } || (body.Description?.Any(char.IsControl) ?? false))
        {
            return AdminResults.Error("BAD_REQUEST", "description: at most 256 printable characters", StatusCodes.Status400BadRequest);
        }

        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var spec = new MachineAccountSpec
        {
            SecretHash = Secret.FromString(secret).ToSha256(),
            Scopes = body.Scopes!,
            ExpiresAt = time.GetUtcNow().AddDays(body.ExpiresInDays),
            Description = body.Description,
        };

        return await AdminResults.CallOrNotFoundAsync(
            () => grains.GetGrain<IMachineAccountGrain>(name).CreateAsync(spec),
            () => AdminResults.Error("CONFLICT", $"the machine account '{name}' exists; revoke it first (DELETE) to replace it", StatusCodes.Status409Conflict),
            info => Results.Json(new CreatedMachineAccount(auth.Value.MachineAccountPrefix + info.Name, secret, info), statusCode: StatusCodes.Status201Created));
    }

    /// <summary>Every machine account (revoked and expired ones included), by name.</summary>
    private static Task<IResult> ListAsync(IGrainFactory grains) => AdminResults.CallAsync(async () =>
    {
        var names = await grains.GetGrain<IMachineAccountDirectoryGrain>(IMachineAccountDirectoryGrain.Key).ListAsync();
        var accounts = new List<MachineAccountInfo>(names.Count);
        foreach (var chunk in names.Chunk(64))
        {
            var infos = await Task.WhenAll(chunk.Select(n => grains.GetGrain<IMachineAccountGrain>(n).GetAsync()));
            accounts.AddRange(infos.OfType<MachineAccountInfo>());
        }

        return new MachineAccountList(accounts);
    });

    private static IResult NotFound() => AdminResults.Error("NOT_FOUND", "no such machine account", StatusCodes.Status404NotFound);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>The answer to a listing.</summary>
    private sealed record MachineAccountList(IReadOnlyList<MachineAccountInfo> Accounts);

    /// <summary>The answer to a creation: the user name to log in with and the secret, shown this once.</summary>
    private sealed record CreatedMachineAccount(string Username, string Secret, MachineAccountInfo Account);
}
