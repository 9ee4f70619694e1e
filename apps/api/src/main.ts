import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
@Controller('health') class C { @Get('live') live() { return { status: 'ok' }; } }
@Module({ controllers: [C] }) class M {}
async function main() { const app = await NestFactory.create(M); await app.listen(3999); console.log('up'); await app.close(); }
void main();
