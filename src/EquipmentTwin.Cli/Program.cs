using EquipmentTwin.Cli;

return await TwinCommand.RunAsync(args);
