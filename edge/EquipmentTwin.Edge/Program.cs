using EquipmentTwin.Edge.Commands;

// twin-edge run|check|bench [options]; see 'twin-edge --help'.
return await EdgeCli.InvokeAsync(args);
