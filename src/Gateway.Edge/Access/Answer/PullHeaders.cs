using Gateway.Contracts;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Access.Answer;

/// <summary>Docker Hub's pull-limit headers, on allowed pulls and on refusals alike.</summary>
public static class PullHeaders
{
    /// <summary>Writes <c>ratelimit-limit</c>, <c>ratelimit-remaining</c> and <c>docker-ratelimit-source</c> when a pull budget applies.</summary>
    public static void Write(HttpResponse response, string source, PullBudget? pulls)
    {
        if (pulls is null)
        {
            return;
        }

        var window = (long)Math.Ceiling(pulls.Window.TotalSeconds);
        var headers = response.Headers;
        headers["ratelimit-limit"] = $"{pulls.Limit};w={window}";
        headers["ratelimit-remaining"] = $"{pulls.Remaining};w={window}";
        headers["docker-ratelimit-source"] = source;
    }
}
