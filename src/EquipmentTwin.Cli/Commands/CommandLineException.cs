namespace EquipmentTwin.Cli.Commands;

/// <summary>A command line the user must correct, found only once the command runs (e.g. two options that exclude each other); exit code 2.</summary>
public sealed class CommandLineException(string message) : Exception(message);
