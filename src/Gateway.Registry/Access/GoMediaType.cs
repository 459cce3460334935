namespace Gateway.Registry.Access;

/// <summary>
/// The media type of a <c>Content-Type</c> value as Go's <c>mime.ParseMediaType</c> returns it to
/// <c>net/http</c>'s form parsing, which uses it even when the parameters do not parse: the text before the first
/// <c>;</c>, trimmed and lower-cased, if it is <c>token/token</c>. So <c>application/x-www-form-urlencoded;;</c>,
/// <c>…; a="</c> or <c>…;charset="utf-8</c> are all forms to the registry, though ASP.NET cannot parse them.
/// </summary>
public static class GoMediaType
{
    /// <summary>The media type Go reads a url-encoded form body from (POST, PUT and PATCH).</summary>
    public const string UrlEncodedForm = "application/x-www-form-urlencoded";

    /// <summary>The media type Go reads a multipart form body from (any method).</summary>
    public const string MultipartForm = "multipart/form-data";

    /// <summary>
    /// The media type Go reads from <paramref name="contentType"/>, lower-cased; empty when Go finds none (then it
    /// parses no form). Null when the value holds a character outside printable ASCII and tab, whose reading
    /// would depend on how each hop decodes header bytes (Go trims Unicode spaces such as U+00A0).
    /// </summary>
    public static string? Of(ReadOnlySpan<char> contentType)
    {
        foreach (var c in contentType)
        {
            if (c is not ('\t' or (>= ' ' and <= '~')))
            {
                return null;
            }
        }

        var semicolon = contentType.IndexOf(';');
        var media = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim(" \t");
        var slash = media.IndexOf('/');
        if (slash <= 0 || !IsToken(media[..slash]) || !IsToken(media[(slash + 1)..]))
        {
            return string.Empty;
        }

        return media.ToString().ToLowerInvariant();
    }

    /// <summary>
    /// True when Go would read form values from a body with this <c>Content-Type</c> (either form type, whatever
    /// the parameters), or when the value cannot be read the same way by every hop (see <see cref="Of"/>).
    /// </summary>
    public static bool MayBeForm(ReadOnlySpan<char> contentType) =>
        Of(contentType) is not { } media || media is UrlEncodedForm or MultipartForm;

    /// <summary>RFC 2045 token characters, as Go's <c>isTokenChar</c>.</summary>
    private static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is <= ' ' or >= '\u007f' or '(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=')
            {
                return false;
            }
        }

        return true;
    }
}
