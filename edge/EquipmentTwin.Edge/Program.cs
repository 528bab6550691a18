using EquipmentTwin.Edge.Bench;
using EquipmentTwin.Edge.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// twin-edge [run] [--config path] [--Section:Key value ...]   |   twin-edge bench [--lines N]
if (args.Length > 0 && args[0] == "bench")
{
    return await EdgeBench.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "run")
{
    args = args[1..];
}

try
{
    using var host = EdgeHost.Build(args);
    await host.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine("twin-edge: the configuration is not valid:");
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine("  - " + failure);
    }

    return 2;
}
catch (FileNotFoundException ex)
{
    Console.Error.WriteLine("twin-edge: " + ex.Message);
    return 2;
}
