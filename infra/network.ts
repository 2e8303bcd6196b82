import type { StageSettings } from "./stage";

/**
 * The design's VPC: public subnets (ALB, NAT), private subnets (ECS tasks) and isolated data
 * subnets (Aurora, Redis) in `azs` zones, with `natGateways` NAT gateways shared round-robin by
 * the private route tables (one by default, as the design). Raw resources because sst.aws.Vpc
 * has no isolated tier and always creates one NAT gateway per AZ. An imported VPC takes the same
 * shape from its subnet ids, so everything downstream sees one `Network` type.
 */
type Subnets = $util.Input<$util.Input<string>[]>;

export interface Network {
  vpcId: $util.Input<string>;
  publicSubnets: Subnets;
  privateSubnets: Subnets;
  dataSubnets: Subnets;
  /** Subnets the ECS tasks run in, per `taskSubnets`. */
  taskSubnets: Subnets;
  natGateways: aws.ec2.NatGateway[];
  natInstances: aws.ec2.Instance[];
  /** The bastion's security group (`bastion` stages): allowed into the data stores for `sst tunnel`. */
  bastionGroup?: $util.Output<string>;
}

const VPC_CIDR = "10.0.0.0/16";

export function createNetwork(s: StageSettings): Network {
  if (s.bastion) return createTunnelNetwork(s);
  if (s.existingVpcId !== undefined && s.existingSubnets) {
    const { public: pub, private: priv, data } = s.existingSubnets;
    return {
      vpcId: s.existingVpcId,
      publicSubnets: pub,
      privateSubnets: priv,
      dataSubnets: data ?? priv,
      taskSubnets: s.taskSubnets === "public" ? pub : priv,
      natGateways: [],
      natInstances: [],
    };
  }

  const zones = aws.getAvailabilityZonesOutput({ state: "available" }).names;
  const zone = (i: number) => zones.apply((names) => names[i % names.length] ?? names[0] ?? "");
  const azIndexes = [...Array(s.azs).keys()];

  const vpc = new aws.ec2.Vpc("Vpc", { cidrBlock: VPC_CIDR, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${$app.name}-${$app.stage}` } });
  const igw = new aws.ec2.InternetGateway("VpcInternetGateway", { vpcId: vpc.id });

  const publicTable = new aws.ec2.RouteTable("VpcPublicRouteTable", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] });
  const publicSubnets = azIndexes.map((i) => {
    const subnet = new aws.ec2.Subnet(`VpcPublicSubnet${i + 1}`, {
      vpcId: vpc.id,
      cidrBlock: `10.0.${i}.0/24`,
      availabilityZone: zone(i),
      mapPublicIpOnLaunch: true,
      tags: { Name: `${$app.name}-${$app.stage}-public-${i + 1}`, tier: "public" },
    });
    new aws.ec2.RouteTableAssociation(`VpcPublicRouteTableAssociation${i + 1}`, { subnetId: subnet.id, routeTableId: publicTable.id });
    return subnet;
  });

  const natGateways =
    s.natType === "gateway"
      ? azIndexes.slice(0, s.natGateways).map((i) => {
          const eip = new aws.ec2.Eip(`VpcNatElasticIp${i + 1}`, { domain: "vpc" });
          return new aws.ec2.NatGateway(`VpcNatGateway${i + 1}`, { subnetId: publicSubnets[i]?.id ?? "", allocationId: eip.id }, { dependsOn: [igw] });
        })
      : [];
  const natInstances = s.natType === "instance" ? createNatInstances(vpc, publicSubnets) : [];

  const privateSubnets = azIndexes.map((i) => {
    const subnet = new aws.ec2.Subnet(`VpcPrivateSubnet${i + 1}`, {
      vpcId: vpc.id,
      cidrBlock: `10.0.${16 * (i + 1)}.0/20`,
      availabilityZone: zone(i),
      tags: { Name: `${$app.name}-${$app.stage}-private-${i + 1}`, tier: "private" },
    });
    // Round-robin: with one NAT gateway every zone shares it (the design's cost trade-off).
    const nat = natGateways[i % Math.max(1, natGateways.length)];
    const instance = natInstances[i];
    const routes = nat
      ? [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }]
      : instance
        ? [{ cidrBlock: "0.0.0.0/0", networkInterfaceId: instance.primaryNetworkInterfaceId }]
        : [];
    const table = new aws.ec2.RouteTable(`VpcPrivateRouteTable${i + 1}`, { vpcId: vpc.id, routes });
    new aws.ec2.RouteTableAssociation(`VpcPrivateRouteTableAssociation${i + 1}`, { subnetId: subnet.id, routeTableId: table.id });
    return subnet;
  });

  // Isolated: only the VPC-local route, so the data stores have no path to or from the internet.
  const dataTable = new aws.ec2.RouteTable("VpcDataRouteTable", { vpcId: vpc.id, routes: [] });
  const dataSubnets = azIndexes.map((i) => {
    const subnet = new aws.ec2.Subnet(`VpcDataSubnet${i + 1}`, {
      vpcId: vpc.id,
      cidrBlock: `10.0.${200 + i}.0/24`,
      availabilityZone: zone(i),
      tags: { Name: `${$app.name}-${$app.stage}-data-${i + 1}`, tier: "data" },
    });
    new aws.ec2.RouteTableAssociation(`VpcDataRouteTableAssociation${i + 1}`, { subnetId: subnet.id, routeTableId: dataTable.id });
    return subnet;
  });

  const ids = (subnets: aws.ec2.Subnet[]) => subnets.map((x) => x.id);
  return {
    vpcId: vpc.id,
    publicSubnets: ids(publicSubnets),
    privateSubnets: ids(privateSubnets),
    dataSubnets: ids(dataSubnets),
    taskSubnets: ids(s.taskSubnets === "public" ? publicSubnets : privateSubnets),
    natGateways,
    natInstances,
  };
}

/**
 * SST's Vpc with a bastion: the VPC component registers the tunnel (`sst tunnel`, and `sst dev`
 * starts it) that routes its subnets through the bastion, which a raw VPC cannot. Its private
 * subnets hold Aurora and Redis; tasks run in its public subnets (no NAT, as validated).
 */
function createTunnelNetwork(s: StageSettings): Network {
  const vpc = new sst.aws.Vpc("Vpc", { az: s.azs, bastion: true });
  return {
    vpcId: vpc.id,
    publicSubnets: vpc.publicSubnets,
    privateSubnets: vpc.privateSubnets,
    dataSubnets: vpc.privateSubnets,
    taskSubnets: vpc.publicSubnets,
    natGateways: [],
    natInstances: [],
    bastionGroup: vpc.nodes.bastionInstance.apply((i) => i?.vpcSecurityGroupIds ?? []).apply((ids) => ids[0] ?? ""),
  };
}

/** fck-nat on t4g.nano, one per zone: ~$3/month each instead of ~$33 for a NAT gateway. */
function createNatInstances(vpc: aws.ec2.Vpc, publicSubnets: aws.ec2.Subnet[]): aws.ec2.Instance[] {
  const ami = aws.ec2.getAmiOutput({
    owners: ["568608671756"],
    mostRecent: true,
    filters: [
      { name: "name", values: ["fck-nat-al2023-*"] },
      { name: "architecture", values: ["arm64"] },
    ],
  });
  const sg = new aws.ec2.SecurityGroup("VpcNatInstanceSecurityGroup", {
    vpcId: vpc.id,
    description: "NAT instances: forward traffic from the VPC",
    ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [VPC_CIDR] }],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  });
  return publicSubnets.map(
    (subnet, i) =>
      new aws.ec2.Instance(`VpcNatInstance${i + 1}`, {
        ami: ami.id,
        instanceType: "t4g.nano",
        subnetId: subnet.id,
        vpcSecurityGroupIds: [sg.id],
        associatePublicIpAddress: true,
        // A NAT forwards packets that are not addressed to itself.
        sourceDestCheck: false,
        tags: { Name: `${$app.name}-${$app.stage}-nat-${i + 1}` },
      }),
  );
}

export interface SecurityGroups {
  services: aws.ec2.SecurityGroup;
  database: aws.ec2.SecurityGroup;
  cache: aws.ec2.SecurityGroup;
}

/**
 * The design's security-group table. The ALB group is SST's (shaped in proxy.ts); ingress to the
 * services from it is added there. Services egress uses standalone rules because the data groups
 * reference the services group and vice versa.
 */
export function createSecurityGroups(s: StageSettings, network: Network): SecurityGroups {
  const services = new aws.ec2.SecurityGroup("ServicesSecurityGroup", {
    vpcId: network.vpcId,
    description: "ECS tasks: 8080/8081 from the ALB; out to the data stores and the internet",
  });
  const dataGroup = (name: string, port: number, what: string) =>
    new aws.ec2.SecurityGroup(name, {
      vpcId: network.vpcId,
      description: `${what}: ${port} from the ECS tasks only`,
      ingress: [{ protocol: "tcp", fromPort: port, toPort: port, securityGroups: [services.id] }],
      // Explicitly empty: the data stores start no connections.
      egress: [],
    });
  const database = dataGroup("DatabaseSecurityGroup", 5432, "Aurora");
  const cache = dataGroup("CacheSecurityGroup", 6379, "Redis");

  new aws.vpc.SecurityGroupEgressRule("ServicesToDatabase", {
    securityGroupId: services.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: database.id,
  });
  new aws.vpc.SecurityGroupEgressRule("ServicesToCache", {
    securityGroupId: services.id, ipProtocol: "tcp", fromPort: 6379, toPort: 6379, referencedSecurityGroupId: cache.id,
  });
  if (network.bastionGroup !== undefined) {
    for (const [name, group, port] of [["DatabaseFromBastion", database, 5432], ["CacheFromBastion", cache, 6379]] as const) {
      new aws.vpc.SecurityGroupIngressRule(name, {
        securityGroupId: group.id, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: network.bastionGroup,
      });
    }
  }
  for (const port of s.egressPorts) {
    new aws.vpc.SecurityGroupEgressRule(`ServicesToInternet${port}`, {
      securityGroupId: services.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0",
    });
  }
  return { services, database, cache };
}
