using EquipmentTwin.Cli.Commands;

return await TwinCli.InvokeAsync(args);
