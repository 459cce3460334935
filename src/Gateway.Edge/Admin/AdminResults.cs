using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Admin;

/// <summary>The admin endpoint's answers: JSON, errors in the registry's <c>{"errors":[…]}</c> shape.</summary>
internal static class AdminResults
{
    /// <summary>An error answer.</summary>
    public static IResult Error(string code, string message, int status) =>
        Results.Json(new { errors = new[] { new { code, message, detail = (object?)null } } }, statusCode: status);

    /// <summary>A malformed machine account name.</summary>
    public static IResult BadName() => Error("NAME_INVALID", "machine account names are 1 to 64 of a-z, 0-9, '.', '_' and '-', starting and ending with a letter or digit", StatusCodes.Status400BadRequest);

    /// <summary>Calls a grain: 200 with its answer, 503 when the cluster cannot answer.</summary>
    public static Task<IResult> CallAsync<T>(Func<Task<T>> call)
        where T : class => CallOrNotFoundAsync<T>(async () => await call(), null);

    /// <summary>Calls a grain: <paramref name="ok"/> (200) with its answer, <paramref name="whenNull"/> (404) for a null one, 503 when the cluster cannot answer.</summary>
    public static async Task<IResult> CallOrNotFoundAsync<T>(Func<Task<T?>> call, Func<IResult>? whenNull, Func<T, IResult>? ok = null)
        where T : class
    {
        T? answer;
        try
        {
            answer = await call();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Error("UNAVAILABLE", "the gateway cluster cannot answer right now", StatusCodes.Status503ServiceUnavailable);
        }

        if (answer is null)
        {
            return whenNull?.Invoke() ?? Error("NOT_FOUND", "not found", StatusCodes.Status404NotFound);
        }

        return ok?.Invoke(answer) ?? Results.Ok(answer);
    }
}
