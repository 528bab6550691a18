using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Stores;

/// <summary>Registers the stores chosen by <c>Store:Kind</c> through <see cref="StoreFactory"/>.</summary>
public static class StoreServiceCollectionExtensions
{
    public static IServiceCollection AddTwinStores(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InfluxOptions>().Bind(configuration.GetSection(InfluxOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        services.AddSingleton<StoreFactory>();
        services.AddSingleton(sp => sp.GetRequiredService<StoreFactory>().Telemetry);
        services.AddSingleton(sp => sp.GetRequiredService<StoreFactory>().Alerts);
        services.AddSingleton(sp => sp.GetRequiredService<StoreFactory>().CreateModelRegistry());
        services.AddSingleton(sp => sp.GetRequiredService<StoreFactory>().CreateLabelStore());
        services.AddSingleton<IAuditStore>(sp => SqliteAuditStore.Open(Path.GetFullPath(sp.GetRequiredService<IOptions<StoreOptions>>().Value.DataDir)));
        return services;
    }
}
