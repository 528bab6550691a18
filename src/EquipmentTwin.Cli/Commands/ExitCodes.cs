namespace EquipmentTwin.Cli.Commands;

/// <summary>The one exit-code convention of <c>twin</c> and <c>twin-edge</c>, also printed at the end of every help text.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and failed: bad input file, port in use, invalid setting.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown option, missing or out-of-range value.</summary>
    public const int Usage = 2;

    public const string HelpText = "Exit codes: 0 ok, 1 failure (bad input, port in use, invalid setting), 2 usage (unknown option, bad or missing value).";
}
