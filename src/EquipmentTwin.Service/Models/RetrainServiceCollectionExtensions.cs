using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Models;

/// <summary>Registers the retrain job runner and its schedule (section <c>Models:Retrain</c>).</summary>
public static class RetrainServiceCollectionExtensions
{
    public static IServiceCollection AddModelRetraining(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetrainOptions>().Bind(configuration.GetSection(RetrainOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ModelRetrainer>();
        services.AddHostedService<RetrainSchedule>();
        return services;
    }
}
