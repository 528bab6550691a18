using System.Security.Cryptography.X509Certificates;
using EquipmentTwin.Edge.Hosting;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EquipmentTwin.Edge.Publishing;

/// <summary>Builds the MQTT 5 client options from the settings: persistent session, keep-alive, optional will, credentials and TLS.</summary>
public static class MqttClientOptionsFactory
{
    public static MqttClientOptions Build(MqttSettings m, string clientId, string? willTopic, byte[]? willPayload)
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(m.Host, m.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(m.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(m.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (willTopic is not null)
        {
            b.WithWillTopic(willTopic).WithWillPayload(willPayload).WithWillRetain().WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (m.Username is { Length: > 0 })
        {
            b.WithCredentials(m.Username, m.Password);
        }

        if (m.Tls)
        {
            var ca = m.CaFile is { Length: > 0 } ? X509Certificate2.CreateFromPemFile(m.CaFile) : null;
            b.WithTlsOptions(o =>
            {
                o.UseTls();
                if (m.AllowUntrustedCertificates)
                {
                    o.WithAllowUntrustedCertificates();
                    o.WithCertificateValidationHandler(_ => true);
                }
                else if (ca is not null)
                {
                    o.WithCertificateValidationHandler(args => ValidateWithCa(args.Certificate, args.SslPolicyErrors, ca));
                }
            });
        }

        return b.Build();
    }

    private static bool ValidateWithCa(X509Certificate? certificate, System.Net.Security.SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (errors == System.Net.Security.SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
