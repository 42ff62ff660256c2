namespace Liiklus.Api.Security.Configuration;

/// <summary>How start-up errors name a setting: the environment variable, when there is one, and the HOCON path.</summary>
public static class SettingNames
{
    public static string Of(string hoconPath)
    {
        var variable = Liiklus.Api.Configuration.GatewayHocon.EnvironmentVariables
            .FirstOrDefault(pair => pair.Value == hoconPath).Key;
        return variable is null ? hoconPath : $"{variable} ({hoconPath})";
    }
}
