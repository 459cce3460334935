using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Configuration;

/// <summary>
/// Options the host needs before it is built (the role decides what is built; Orleans and YARP take their settings at
/// registration): bound and checked here by the same validator the options system runs, so a bad value stops the start
/// with the same <see cref="OptionsValidationException"/> and exit code 2.
/// </summary>
public static class StartupOptions
{
    /// <summary>Binds <typeparamref name="TOptions"/> from <paramref name="section"/> and validates it with <paramref name="validator"/>.</summary>
    public static TOptions BindValidated<TOptions>(IConfiguration configuration, string section, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var result = validator.Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(section, typeof(TOptions), result.Failures) : options;
    }
}
