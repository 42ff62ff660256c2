namespace Liiklus.Api.Security.Configuration;

/// <summary>TLS on the gRPC port (<c>liiklus.grpc.tls</c>); mutual when <see cref="TrustCertPath"/> is set.</summary>
public sealed record GrpcTlsSettings(string KeyCertChainPath, string KeyPath, Secret? KeyPassword, string? TrustCertPath);
