using System.Text;
using System.Text.Json;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// An account template such as <c>ci/${claims:repository}</c>: literal text and <c>${claims:NAME}</c> placeholders,
/// expanded from a token's string claims. Pure; parsed once at start.
/// </summary>
public sealed class AccountTemplate
{
    /// <summary>The longest account name a template may produce.</summary>
    public const int MaxAccountLength = 255;

    private const string Open = "${claims:";
    private readonly IReadOnlyList<(string Text, bool IsClaim)> _parts;

    private AccountTemplate(IReadOnlyList<(string Text, bool IsClaim)> parts) => _parts = parts;

    /// <summary>The claim names the template reads.</summary>
    public IEnumerable<string> ClaimNames => _parts.Where(p => p.IsClaim).Select(p => p.Text);

    /// <summary>Parses a template; null with <paramref name="error"/> when it is malformed or has no placeholder.</summary>
    public static AccountTemplate? TryParse(string template, out string? error)
    {
        var parts = new List<(string, bool)>();
        var rest = template.AsSpan();
        while (rest.Length > 0)
        {
            var start = rest.IndexOf("${", StringComparison.Ordinal);
            if (start < 0)
            {
                parts.Add((rest.ToString(), false));
                break;
            }

            if (start > 0)
            {
                parts.Add((rest[..start].ToString(), false));
            }

            rest = rest[start..];
            var end = rest.IndexOf('}');
            if (!rest.StartsWith(Open, StringComparison.Ordinal) || end < 0 || end == Open.Length)
            {
                error = "placeholders are ${claims:NAME}";
                return null;
            }

            parts.Add((rest[Open.Length..end].ToString(), true));
            rest = rest[(end + 1)..];
        }

        // Without a placeholder every token of the issuer would be one account: allowed only on purpose is not worth
        // the foot-gun; a fixed account is a machine account's job.
        if (!parts.Any(p => p.Item2))
        {
            error = "it needs at least one ${claims:NAME} placeholder";
            return null;
        }

        if (parts.Where(p => !p.Item2).Any(p => !IsAccountText(p.Item1)))
        {
            error = "its literal text may hold only letters, digits and . _ - / @ +";
            return null;
        }

        error = null;
        return new AccountTemplate(parts);
    }

    /// <summary>
    /// The account for a token's claims, or null when a placeholder's claim is missing or not a string, or the result
    /// is not a valid account name (<see cref="IsValidAccount"/>).
    /// </summary>
    public string? Expand(JsonElement claims)
    {
        var builder = new StringBuilder();
        foreach (var (text, isClaim) in _parts)
        {
            if (!isClaim)
            {
                builder.Append(text);
                continue;
            }

            if (!claims.TryGetProperty(text, out var value) || value.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var claim = value.GetString()!;
            if (claim.Length == 0 || builder.Length + claim.Length > MaxAccountLength)
            {
                return null;
            }

            builder.Append(claim);
        }

        var account = builder.ToString();
        return IsValidAccount(account) ? account : null;
    }

    /// <summary>
    /// A valid account: 1–255 characters of letters, digits and <c>. _ - / @ +</c>, no empty or dot-only path segment.
    /// So a claim cannot smuggle a <c>:</c> (a Basic separator, and the mark of internal grain keys), a machine
    /// account's <c>$</c>, a glob character the ACL would read, white space or a <c>..</c> segment into an account.
    /// </summary>
    public static bool IsValidAccount(string account)
    {
        if (account.Length is 0 or > MaxAccountLength || !IsAccountText(account))
        {
            return false;
        }

        foreach (var segment in account.Split('/'))
        {
            if (segment.Length == 0 || segment.All(c => c == '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAccountText(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or '@' or '+');
}
