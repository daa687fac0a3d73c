import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import { platformLogGroup } from '../shared/log-group';

export interface NetworkProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** Key for the flow-log group. */
  readonly logsKey: kms.IKey;
}

/**
 * Interface endpoints the platform's services and Lambdas reach AWS through.
 * There is no internet route, so every AWS API a workload calls needs one here.
 */
export const INTERFACE_ENDPOINTS: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  Glue: ec2.InterfaceVpcEndpointAwsService.GLUE,
  Athena: ec2.InterfaceVpcEndpointAwsService.ATHENA,
  EmrServerless: ec2.InterfaceVpcEndpointAwsService.EMR_SERVERLESS,
  Kafka: ec2.InterfaceVpcEndpointAwsService.KAFKA,
  Rds: ec2.InterfaceVpcEndpointAwsService.RDS,
  Elasticache: ec2.InterfaceVpcEndpointAwsService.ELASTICACHE,
  RedshiftServerless: ec2.InterfaceVpcEndpointAwsService.REDSHIFT_SERVERLESS,
  Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
};

/**
 * The region's VPC: private isolated subnets only (no internet gateway, no NAT),
 * in the configured Availability Zones; S3 through a gateway endpoint, other AWS
 * APIs through interface endpoints; flow logs to a KMS-encrypted log group; the
 * default security group stripped of all rules.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The subnets every workload uses. */
  readonly privateSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  /** Security group of every interface endpoint. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  /**
   * Security group worn by the platform's own workloads (Lambdas, EMR Serverless).
   * Data stores admit their port from this group only.
   */
  readonly clientSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config, role, logsKey } = props;
    const deployment = config.regions[role];
    const prefix = Number(deployment.vpcCidr.split('/')[1]);

    const flowLogGroup = platformLogGroup(this, 'FlowLogs', { config: config, logsKey: logsKey });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(deployment.vpcCidr),
      availabilityZones: [...deployment.availabilityZones],
      natGateways: 0,
      createInternetGateway: false,
      // Eight equal blocks leave room for up to six AZs plus spare.
      subnetConfiguration: [
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: Math.min(prefix + 3, 27) },
      ],
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
          maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
        },
      },
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [this.privateSubnets] },
      },
    });

    for (const subnet of this.vpc.isolatedSubnets) {
      acknowledge(
        subnet,
        ['CloudFormation-Validate::W3010'],
        'Availability Zones are explicit config on purpose: MSK Serverless does not support every zone, and config validation checks the choice before deploy.',
      );
    }
    const flowLogRole = this.vpc.node.findChild('all').node.findChild('IAMRole');
    acknowledgeDefaultPolicy(flowLogRole, 'VPC flow logs (write to the flow-log group)');

    // One group for all endpoints: HTTPS from inside this VPC only (the literal CIDR from config).
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from this VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(deployment.vpcCidr),
      ec2.Port.tcp(443),
      'HTTPS from workloads in this VPC',
    );
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Platform workloads (Lambdas, EMR Serverless) allowed to reach the data stores',
      allowAllOutbound: true,
    });

    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: this.privateSubnets,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [this.endpointSecurityGroup],
      });
    }
  }
}
