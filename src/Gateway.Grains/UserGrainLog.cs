using Gateway.Registry.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Grains;

/// <summary>The user grain's log events.</summary>
public sealed partial class UserGrain
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.UserGrainActivated, Level = LogLevel.Debug, Message = "User grain for '{User}' activated on {Silo}")]
        public static partial void Activated(ILogger logger, string user, string silo);

        [LoggerMessage(EventId = EventIds.PairLocked, Level = LogLevel.Warning, Message = "User '{User}' locked for address {Address} until {Until:u} after {Failures} failed attempts (lock {LockNumber} in a row)")]
        public static partial void PairLocked(ILogger logger, string user, string address, int failures, DateTimeOffset until, int lockNumber);

        [LoggerMessage(EventId = EventIds.UserLocked, Level = LogLevel.Warning, Message = "User '{User}' locked for every address but known-good ones until {Until:u} after {Failures} failed attempts (lock {LockNumber} in a row)")]
        public static partial void UserLocked(ILogger logger, string user, int failures, DateTimeOffset until, int lockNumber);

        [LoggerMessage(EventId = EventIds.UserUnlocked, Level = LogLevel.Warning, Message = "User '{User}' unlocked by an operator for {Scope}")]
        public static partial void Unlocked(ILogger logger, string user, string scope);

        [LoggerMessage(EventId = EventIds.TokensRevoked, Level = LogLevel.Warning, Message = "Tokens of user '{User}' revoked by an operator: every token issued until {RevokedAt:u} is refused")]
        public static partial void TokensRevoked(ILogger logger, string user, DateTimeOffset revokedAt);
    }
}
