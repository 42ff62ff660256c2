using System.Text;
using Akka.Streams.Dsl;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage;

public sealed class InMemoryPositionsStorageSpecs : PositionsStorageContract
{
    protected override IPositionsStorage CreateStorage() => new InMemoryPositionsStorage();
}
