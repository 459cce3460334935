namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Linux signal numbers (x86-64 / arm64).</summary>
public enum Signal
{
    Hup = 1,
    Int = 2,
    Quit = 3,
    Kill = 9,
    Term = 15,
    Cont = 18,
    Stop = 19,
}
