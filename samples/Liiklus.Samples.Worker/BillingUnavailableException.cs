namespace Liiklus.Samples.Worker;

/// <summary>The billing system could not take a charge now; trying again later may work.</summary>
public sealed class BillingUnavailableException(string message) : Exception(message);
