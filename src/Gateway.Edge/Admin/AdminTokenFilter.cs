using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Admin;

/// <summary>Lets a request through only with the configured bearer token, compared in constant time.</summary>
public sealed class AdminTokenFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Token ?? string.Empty));

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        var presented = header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : string.Empty;
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(digest, _expected))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"gateway-admin\"";
            return Results.Json(new { errors = new[] { new { code = "UNAUTHORIZED", message = "admin token required", detail = (object?)null } } }, statusCode: StatusCodes.Status401Unauthorized);
        }

        return await next(context);
    }
}
